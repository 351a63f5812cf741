"""The golden output: the published site, file by file, as committed in
tests/golden/published.sha256. A change to the generator that changes what readers get
must say so: run `invoke update-golden`, review the files it lists, and commit the
manifest with the change."""

from __future__ import annotations

import tasks


def test_published_site_matches_the_golden_manifest(published_site):
    golden = tasks.read_manifest()
    built = tasks.site_manifest(published_site)
    changes = tasks.manifest_changes(golden, built)
    assert not changes, (
        f"{len(changes)} published files differ from tests/golden/published.sha256 "
        "(+ added, - removed, ~ changed):\n" + "\n".join(changes[:40])
        + "\nIf the change is intended, run `invoke update-golden` and commit the manifest.")


def test_the_manifest_notices_a_changed_added_and_removed_file(published_site, tmp_path):
    """The comparison itself: a copy of the build with one byte changed, one file added
    and one removed is reported file by file."""
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(published_site, copy)
    index = copy / "index.html"
    index.write_bytes(index.read_bytes() + b" ")
    (copy / "extra.txt").write_text("x")
    (copy / "robots.txt").unlink()
    changes = tasks.manifest_changes(tasks.site_manifest(published_site), tasks.site_manifest(copy))
    assert changes == ["+ extra.txt", "- robots.txt", "~ index.html"]
