"""datadesk/outputs.py without a build: a file whose bytes are the previous output's is linked,
never written through; links impossible means every file written, with a notice."""

from __future__ import annotations

import errno
import os

import pytest

from datadesk.outputs import Outputs


@pytest.fixture
def folders(tmp_path):
    previous, staging = tmp_path / "output", tmp_path / ".build-output-x"
    (previous / "a").mkdir(parents=True)
    (previous / "a" / "page.html").write_bytes(b"<p>same</p>")
    (previous / "feed.xml").write_bytes(b"<feed>old</feed>")
    staging.mkdir()
    counts = {}

    def count(part, what, n=1):
        counts[(part, what)] = counts.get((part, what), 0) + n

    outputs = Outputs({"OUTPUT_PATH": str(staging), "DATADESK_PREVIOUS_OUTPUT": str(previous)}, count)
    return previous, staging, outputs, counts


def test_same_bytes_are_linked_other_bytes_written(folders):
    previous, staging, outputs, counts = folders
    assert outputs.put(staging / "a" / "page.html", b"<p>same</p>", "pages") is True
    assert outputs.put(staging / "feed.xml", b"<feed>new</feed>", "feeds") is False
    assert outputs.put(staging / "b" / "new.html", b"<p>new</p>", "pages") is False
    assert os.path.samefile(staging / "a" / "page.html", previous / "a" / "page.html")
    assert (staging / "feed.xml").read_bytes() == b"<feed>new</feed>"
    assert not os.path.samefile(staging / "feed.xml", previous / "feed.xml")
    assert counts == {("pages", "kept"): 1, ("output", "kept"): 1, ("feeds", "written"): 1,
                      ("output", "written"): 2, ("pages", "written"): 1}
    assert str(staging / "a" / "page.html") in outputs.kept


def test_a_linked_file_is_never_written_through(folders):
    previous, staging, outputs, _counts = folders
    target = staging / "a" / "page.html"
    assert outputs.put(target, b"<p>same</p>", "pages") is True
    assert outputs.put(target, b"<p>changed in the same build</p>", "pages") is False
    assert (previous / "a" / "page.html").read_bytes() == b"<p>same</p>"
    assert target.read_bytes() == b"<p>changed in the same build</p>"
    assert str(target) not in outputs.kept
    # the same through copy(): linked when the source has the bytes, else a new file
    source = staging.parent / "source.csv"
    source.write_bytes(b"<feed>old</feed>")
    assert outputs.copy(source, staging / "feed.xml", "datasets") is True
    assert os.path.samefile(staging / "feed.xml", previous / "feed.xml")
    source.write_bytes(b"x,y\n")
    assert outputs.copy(source, staging / "feed.xml", "datasets") is False
    assert (previous / "feed.xml").read_bytes() == b"<feed>old</feed>"
    assert (staging / "feed.xml").read_bytes() == b"x,y\n"


def test_files_written_by_others_are_linked_when_unchanged(folders):
    previous, staging, outputs, counts = folders
    (staging / "a").mkdir()
    (staging / "a" / "page.html").write_bytes(b"<p>same</p>")
    (staging / "feed.xml").write_bytes(b"<feed>other</feed>")
    outputs.finish()
    assert os.path.samefile(staging / "a" / "page.html", previous / "a" / "page.html")
    assert (staging / "feed.xml").read_bytes() == b"<feed>other</feed>"
    assert (previous / "feed.xml").read_bytes() == b"<feed>old</feed>"
    assert counts[("other", "kept")] == 1 and counts[("other", "written")] == 1


def test_without_links_every_file_is_written_with_a_notice(folders, monkeypatch, capsys):
    previous, staging, outputs, counts = folders

    def no_links(_src, _dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    assert outputs.put(staging / "a" / "page.html", b"<p>same</p>", "pages") is False
    assert outputs.put(staging / "b.html", b"<p>same</p>", "pages") is False
    assert (staging / "a" / "page.html").read_bytes() == b"<p>same</p>"
    err = capsys.readouterr().err
    assert err.count("cannot be linked") == 1 and "every file is written" in err
    assert counts[("output", "written")] == 2 and not outputs.linking


def test_no_previous_output_means_plain_writes(tmp_path):
    outputs = Outputs({"OUTPUT_PATH": str(tmp_path / "out"), "DATADESK_PREVIOUS_OUTPUT": ""})
    assert outputs.put(tmp_path / "out" / "x.html", b"x", "pages") is False
    assert (tmp_path / "out" / "x.html").read_bytes() == b"x"
    outside = Outputs({"OUTPUT_PATH": str(tmp_path / "out"),
                       "DATADESK_PREVIOUS_OUTPUT": str(tmp_path / "missing")})
    assert outside.previous is None


def test_a_folder_made_once_per_build_and_again_when_removed_meanwhile(folders, tmp_path, monkeypatch):
    """Outputs makes each folder of the build's output once (not once per file); a folder it
    made and someone removed since (the search index's, made again by Pagefind's run) is made
    again when a file is put or copied into it."""
    import shutil

    _previous, staging, outputs, _counts = folders
    made = []
    real = os.makedirs

    def makedirs(name, *args, **kwargs):
        made.append(os.path.relpath(name, staging))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(os, "makedirs", makedirs)
    for n in range(3):
        outputs.put(staging / "cards" / f"{n}.png", b"png %d" % n, "cards")
    assert made == ["cards"]
    shutil.rmtree(staging / "cards")
    assert outputs.put(staging / "cards" / "3.png", b"png 3", "cards") is False
    source = tmp_path / "source.txt"
    source.write_bytes(b"copied")
    shutil.rmtree(staging / "cards")
    assert outputs.copy(source, staging / "cards" / "copy.txt", "cards") is False
    assert (staging / "cards" / "copy.txt").read_bytes() == b"copied"
    assert made == ["cards"] * 3
