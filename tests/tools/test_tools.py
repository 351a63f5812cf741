"""The tools of tools/ that the other tests do not reach: the warm in-process build of the
live preview (tools/build.py, build_in_process) and the one static server (tools/server.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # builds in a subprocess, starts servers

FIXTURE = ROOT / "tests" / "fixtures" / "editor"

# Several builds in one process, as `invoke livereload` runs them; each step may first
# write files of content/. Prints one JSON line per build: the problems, or "ok".
WARM = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tools.build import BuildFailed, build_in_process
project = Path(sys.argv[2])
for step in json.loads(sys.argv[3]):
    for name, text in step.items():
        (project / "content" / name).write_text(text, encoding="utf-8")
    try:
        build_in_process(output=project / "output", content=project / "content",
                         data=project / "data")  # as `invoke livereload --content` does
        print(json.dumps("ok"), flush=True)
    except BuildFailed as exc:
        print(json.dumps(str(exc)), flush=True)
"""


def warm_builds(tmp_path: Path, steps: list[dict]) -> tuple[Path, list[str]]:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    proc = subprocess.run([sys.executable, "-c", WARM, str(ROOT), str(project), json.dumps(steps)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return project, [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('"')]


def article(name: str) -> str:
    return (FIXTURE / "content" / "articles" / name).read_text(encoding="utf-8")


def test_a_warm_process_fails_every_build_on_the_same_pelican_warning(tmp_path):
    # Pelican logs a warning once per process (its LimitFilter); the preview's builds each
    # start with a fresh memory, so the second build fails on it too instead of publishing.
    story = article("hiver.fr.md") + "\nVoir [la note]({filename}/nulle-part.md).\n"
    _project, results = warm_builds(tmp_path, [{"articles/hiver.fr.md": story}, {}])
    assert len(results) == 2
    for result in results:
        assert result != "ok"
        assert ('content/articles/hiver.fr.md:%d: the link "{filename}/nulle-part.md" leads nowhere'
                % (story.count("\n"))) in result, result
        assert "Unable to find" not in result, "Pelican's own message, which names no file"


CORRECTION = """\
- id: 2022-12-02-hiver
  date: 2022-12-02
  article: {slug}
  kind: correction
  fr: "Nous écrivions 97 ; le bon chiffre est 98."
  en: "We wrote 97; the right figure is 98."
"""


def test_after_a_build_that_stopped_half_way_the_next_one_writes_the_english_site_in_output(tmp_path):
    # The corrections plugin stops the build after the French articles are read (an entry
    # names no article), with i18n_subsites half-way through its run; the next build of
    # the same process must still write the English pages into output/, not into the
    # failed build's folder.
    project, results = warm_builds(tmp_path, [
        {"corrections.yaml": CORRECTION.format(slug="nulle-part")},
        {"corrections.yaml": CORRECTION.format(slug="hiver-des-coupures")}])
    assert results[0] != "ok" and "'nulle-part' matches no article's Slug" in results[0], results[0]
    assert results[1] == "ok", results[1]
    output = project / "output"
    for page in (output / "hiver-des-coupures", output / "en" / "hiver-des-coupures"):
        # each language's article shows the notice of the entry
        assert "corrections/#2022-12-02-hiver" in (page / "index.html").read_text(encoding="utf-8")
    assert not [p for p in project.glob(".build-*")], "nothing is left beside output/"


# --- the one static server -------------------------------------------------------------

def test_the_server_answers_like_project_pages_in_process_and_as_a_child(tmp_path):
    import threading

    from tools.server import ServerProcess, make_server

    site = tmp_path / "site"
    (site / "story").mkdir(parents=True)
    (site / "story" / "index.html").write_text("<p>story</p>", encoding="utf-8")
    (site / "404.html").write_text("<p>introuvable</p>", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("not served", encoding="utf-8")

    def answers(url: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def check(origin: str) -> None:
        assert answers(origin + "/energy-front/story/") == (200, b"<p>story</p>")
        assert answers(origin + "/energy-front/story") == (200, b"<p>story</p>")  # redirected
        assert answers(origin + "/energy-front/nowhere/") == (404, b"<p>introuvable</p>")
        assert answers(origin + "/story/") == (404, b"not found\n")  # outside the sub-path
        assert answers(origin + "/energy-front/../secret.txt")[0] == 404

    server = make_server(site, port=0, prefix="energy-front", quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        check(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    with ServerProcess(site, "/energy-front/") as child:
        check(child.origin)
        pid = child.proc.pid
    assert child.proc.poll() is not None, f"the server (process {pid}) was stopped"


# Two builds in one process sharing the preview's cache (tools.build.new_cache), with an
# edit between them that keeps each file's size and modification time: only the content
# hashes tell the files apart.
SAME_TICK = """
import json, os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tools.build import build_in_process, new_cache
project = Path(sys.argv[2])
cache = new_cache()

def build():
    build_in_process(output=project / "output", content=project / "content", data=project / "data",
                     cache=cache)
    return (project / "output" / "hiver-des-coupures" / "index.html").read_text(encoding="utf-8")

pages = [build()]
for path, old, new in json.loads(sys.argv[3]):
    path = project / path
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(old.encode(), new.encode(), 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
pages.append(build())
print(json.dumps(pages))
"""


def test_a_warm_rebuild_sees_an_edit_of_the_same_size_within_one_clock_tick(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    edits = [("content/articles/hiver.fr.md", "Vague la plus lourde", "Vague la plus rapide"),
             ("data/aid.csv", "Poland,1.82,1.82,", "Poland,1.82,1.72,")]
    proc = subprocess.run([sys.executable, "-c", SAME_TICK, str(ROOT), str(project), json.dumps(edits)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    before, after = json.loads(proc.stdout.splitlines()[-1])
    assert "Vague la plus lourde" in before and ">1,8\u00a0Md€<" in before
    assert "Vague la plus rapide" in after and "Vague la plus lourde" not in after
    assert ">1,7\u00a0Md€<" in after and ">1,8\u00a0Md€<" not in after


def test_a_build_process_that_succeeds_runs_its_exit_handlers_before_ending_at_once(tmp_path):
    """The build's child process ends without tearing its objects down one by one once the
    build succeeded or found nothing to do (tools/build.py, _exit_at_once), but what is
    registered to run at exit still runs, and its output is all there; a failed build exits
    the usual way, with its message."""
    from tools.build import BuildFailed, build_site

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    ran = tmp_path / "exit-handlers.txt"
    (project / "exitconf.py").write_text(
        "import atexit, sys\n"
        f"sys.path.insert(0, {str(project)!r})\n"
        "from editorconf import *  # noqa\n"
        f"atexit.register(lambda: open({str(ran)!r}, 'a').write('ran\\n'))\n", encoding="utf-8")
    settings, out = str(project / "exitconf.py"), project / "output"
    build_site(settings=settings, output=out, content=project / "content", quiet=True, if_changed=True)
    assert ran.read_text() == "ran\n" and (out / "index.html").is_file()
    # nothing changed: the check stops the build, and ends the process the same way
    build_site(settings=settings, output=out, content=project / "content", quiet=True, if_changed=True)
    assert ran.read_text() == "ran\nran\n"
    (project / "content" / "articles" / "broken.fr.md").write_text("Title: Cassé\nDate: pas une date\n\nTexte.\n",
                                                      encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build_site(settings=settings, output=out, content=project / "content", quiet=True)
    assert "broken.fr.md" in str(failure.value) and ran.read_text() == "ran\nran\nran\n"
