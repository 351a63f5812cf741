"""Whether ``output/`` is already what a build of the current inputs would write.

A build is a function of what it reads. When nothing it reads has changed since the build
that made ``output/``, and nothing has touched ``output/`` since, running Pelican again
would render nothing new and link every file back in place: ``invoke build`` stops before
that ("up to date") and leaves ``output/`` as it is. ``invoke build --force`` runs every
stage anyway. ``tools/build.py`` asks this module before Pelican runs and records after a
build that succeeded.

**The inputs key** (:meth:`Check.inputs_key`) hashes:

- the bytes of every file under the folders the build reads: the content (``PATH``), the
  data (``DATADESK_DATA_DIR``), the theme (``THEME``, ``THEME_TEMPLATES_OVERRIDES``), the
  plugins (``PLUGIN_PATHS``), the same settings of each language subsite
  (``I18N_SUBSITES``), the build runner, and a Pagefind configuration in the folder the build
  runs in (``pagefind.json``…); compiled bytecode (``__pycache__``) and the
  folder being built are left out;
- every setting (upper-case names: the settings file's values and ``-e`` overrides;
  functions by their source, as the page fingerprints describe them, ``pages.describe``),
  but ``OUTPUT_PATH`` and ``DATADESK_PREVIOUS_OUTPUT``, which name this build's folders;
- the name and version of every installed Python distribution (Pelican, Markdown,
  Pagefind's binary, vl-convert…) and the Python version;
- the environment variables a build may read: ``TZ``, ``LANG``, ``LANGUAGE``, ``LC_*``,
  ``SOURCE_DATE_EPOCH`` and every ``PAGEFIND_*``, ``PELICAN*`` and ``DATADESK_*``.

No plugin reads the clock (a build on another day writes the same bytes), so the date is
not an input.

**The output state** (:func:`output_state`) lists every file and folder under the output
folder with each file's size, modification time (in nanoseconds) and inode. A build
writes each file anew, or hard-links it from the previous output only when the bytes are
equal (outputs.py), so the same state means the same bytes; anything else that writes
into ``output/`` (the preview's fast path, a hand edit, a copy put back) changes it, and
the next build runs in full. The check reads no file of ``output/``: a file rewritten in
place at the same size whose modification time is then set back by hand (``touch -d``)
is not seen; ``invoke build --force`` builds anyway.

**The record**, one entry of ``.cache/builds`` per output folder, holds the inputs key and
the state of the folder the build wrote (the staging folder, whose files keep their size,
time and inode when it is swapped in). It is written only after a build that succeeded,
and only when no input changed while the build ran (every input file has the same size and
time at the end as when it was hashed); otherwise the next build runs in full. A record
that cannot be read, or a setting that cannot be described, only costs a full build.

**Language subsites kept** (:meth:`Check.kept_subsites`). When output/ is not up to date,
a language subsite (the English site, ``en/``) whose pages cannot differ from the previous
build's is not written again: its folder is linked from output/ (``datadesk.kept``). The
record also holds the **subsites key**, made as the inputs key but with each source file of
the main language (a Markdown file under ``PATH`` whose ``Lang:``, or ``.fr.md`` suffix, is
``DEFAULT_LANG``) counted by its **view from the other languages** (:func:`other_language_view`)
instead of its bytes, and the state of each subsite's folder. The other language sites show of
a main-language article only its header fields (its address, title, summary, status, date,
translation), whatever its body's shortcodes and intra-site links make it use (charts, values,
datasets, files); its prose is on its own pages, its own feeds and its own search index only.
So when the subsites key is the recorded one and the subsite's folder in output/ is in the
recorded state, the subsite would be written with the same bytes. A main-language file whose
header has no ``Summary:`` is counted whole (its summary is then cut from its body). Not with
``invoke build --force`` (every stage runs).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from .outputs import SETTING as PREVIOUS_OUTPUT
from .store import Store, code_version, key_of

FOLDER_SETTINGS = ("PATH", "DATADESK_DATA_DIR", "THEME", "THEME_TEMPLATES_OVERRIDES", "PLUGIN_PATHS")
VOLATILE_SETTINGS = ("OUTPUT_PATH", PREVIOUS_OUTPUT)
ENVIRONMENT = ("TZ", "LANG", "LANGUAGE", "SOURCE_DATE_EPOCH")
ENVIRONMENT_PREFIXES = ("LC_", "PAGEFIND_", "PELICAN", "DATADESK_")
SKIPPED_NAMES = ("__pycache__",)
RUNNER = Path(__file__).resolve().parents[2] / "tools" / "build.py"
# Pelican's Markdown reader's extensions: the article and page sources
SOURCE_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
# What in a body can make another language site use something: shortcodes ({{ chart … }},
# {{ value … }}) and Pelican's intra-site links ({filename}x.md, {static}…, |attach|…). Generous
# on purpose: whatever it also catches only makes the view change more often.
MARKERS = re.compile(r"\{\{.*?\}\}|[{|]\w+[|}][^\s\"'<>()\[\]]*", re.S)


_UNREAD = object()


class Undescribed(Exception):
    """A setting whose value the key cannot describe: the build runs in full."""


def _folders(settings: dict) -> list[Path]:
    """The folders and files the build reads, from the settings and each subsite's own."""
    found: list[Path] = []
    tables = [settings] + [sub for sub in (settings.get("I18N_SUBSITES") or {}).values() if isinstance(sub, dict)]
    for table in tables:
        for name in FOLDER_SETTINGS:
            value = table.get(name)
            for item in (value if isinstance(value, (list, tuple)) else [value]):
                if isinstance(item, (str, os.PathLike)) and str(item):
                    path = Path(settings.get("PATH", ".")) / item if name == "THEME_TEMPLATES_OVERRIDES" else Path(item)
                    found.append(path.resolve())
    found.append(RUNNER)
    found.extend(_pagefind_configs(settings))
    return sorted(set(found))


def _pagefind_configs(settings: dict) -> list[Path]:
    """The configuration Pagefind reads from the folder the build runs in, when the site is
    indexed (the search plugin's PAGEFIND_CONFIGS)."""
    if "search" not in settings.get("PLUGINS", []):
        return []
    try:
        from search.search import PAGEFIND_CONFIGS
    except ImportError:  # the plugin is not on PLUGIN_PATHS: Pelican stops the build itself
        return []
    return [Path.cwd().resolve() / name for name in PAGEFIND_CONFIGS if (Path.cwd() / name).is_file()]


def _files(roots: list[Path], skip: list[Path]):
    """(path, stat) of every file under ``roots`` (a root may be a file), in a stable order,
    leaving out bytecode and the folders in ``skip`` (the output and staging folders)."""
    skipped = {str(p) for p in skip}
    for root in roots:
        if root.is_file():
            yield root, root.stat()
            continue
        for folder, dirs, files in os.walk(root, followlinks=True):  # as Pelican finds its files
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_NAMES and os.path.join(folder, d) not in skipped)
            for name in sorted(files):
                if name.endswith(".pyc"):
                    continue
                path = Path(folder, name)
                try:
                    yield path, path.stat()
                except OSError:  # removed while we walk: the stamp check at the end sees it
                    continue


def other_language_view(path: Path, data: bytes, main_lang: str) -> bytes | None:
    """What the other language sites can see of the source ``path`` (bytes ``data``) when it
    is an article or page of the main language with a ``Summary:``: its header as written,
    and every shortcode and intra-site link of its body, in order. None for any other file
    (it is counted whole)."""
    if path.suffix.lower() not in SOURCE_SUFFIXES:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    from .frontmatter import lang_of, parse

    matter = parse(text)
    if lang_of(matter, path, main_lang) != main_lang or "summary" not in matter.fields:
        return None
    lines = text.splitlines()
    header = "\n".join(lines[:matter.meta_length])
    body = "\n".join(lines[matter.meta_length:])
    return "\0".join([header, *MARKERS.findall(body)]).encode("utf-8")


def _settings_text(settings: dict, output: str) -> str:
    from .pages import Unknown, describe

    chosen = {name: value for name, value in settings.items()
              if isinstance(name, str) and name == name.upper() and not name.startswith("_")
              and name not in VOLATILE_SETTINGS}
    try:
        text = json.dumps(describe(chosen), sort_keys=True, ensure_ascii=False)
    except (Unknown, TypeError, ValueError) as exc:
        raise Undescribed(str(exc)) from None
    return text.replace(output, "<output>") if output else text


def _environment() -> dict:
    return {name: value for name, value in sorted(os.environ.items())
            if name in ENVIRONMENT or name.startswith(ENVIRONMENT_PREFIXES)}


def _distributions() -> list[str]:
    """Every installed distribution's metadata folder on ``sys.path`` (its name holds the
    name and version: ``pelican-4.12.0.dist-info``), with its folder: a listing, not a read
    of each distribution's metadata."""
    found = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found.update(f"{entry}/{name}" for name in names if name.endswith((".dist-info", ".egg-info", ".egg-link")))
    return sorted(found)


def output_state(folder: Path) -> tuple[str, int] | None:
    """A hash of every path under ``folder`` with each file's size, time (ns) and inode, and
    the number of files; None when there is no such folder."""
    return output_states(folder)[0]


def output_states(folder: Path, subfolders=()) -> tuple[tuple[str, int] | None, dict]:
    """:func:`output_state` of ``folder`` and, from the same walk, of each of ``subfolders``
    (paths relative to it): ``(state, {subfolder: state})``, each the same as
    :func:`output_state` of that folder would give (a subfolder the walk did not enter, a
    link for one, is looked at on its own). ``(None, {})`` when there is no such folder or a
    file went away while we looked."""
    folder = Path(folder)
    if not folder.is_dir():
        return None, {}
    whole = [hashlib.blake2b(digest_size=20), 0]
    subs = {os.path.normpath(sub): [hashlib.blake2b(digest_size=20), 0] for sub in subfolders}
    entered = set()
    for parent, dirs, files in os.walk(folder):
        dirs.sort()
        rel = os.path.relpath(parent, folder)
        states = [(whole, rel)]
        for sub, state in subs.items():
            if rel == sub:
                entered.add(sub)
                states.append((state, os.curdir))
            elif rel.startswith(sub + os.sep):
                states.append((state, rel[len(sub) + 1:]))
        for state, inner in states:
            state[0].update(f"d {inner}\0".encode("utf-8", "surrogateescape"))
        for name in sorted(files):
            try:
                st = os.lstat(os.path.join(parent, name))
            except OSError:
                return None, {}  # removed while we look: not a state to trust
            tail = f"/{name} {st.st_size} {st.st_mtime_ns} {st.st_ino}\0"
            for state, inner in states:
                state[1] += 1
                state[0].update(f"f {inner}{tail}".encode("utf-8", "surrogateescape"))
    found = {}
    for sub, state in subs.items():
        found[sub] = (state[0].hexdigest(), state[1]) if sub in entered else output_state(folder / sub)
    return (whole[0].hexdigest(), whole[1]), found


class Check:
    """The up-to-date check of one ``invoke build`` of ``settings``' output folder
    (``DATADESK_PREVIOUS_OUTPUT``), into ``settings["OUTPUT_PATH"]`` (the staging folder)."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.output = Path(settings[PREVIOUS_OUTPUT]).resolve() if settings.get(PREVIOUS_OUTPUT) else None
        self.staging = Path(settings["OUTPUT_PATH"]).resolve()
        self.store = Store(Path(settings["CACHE_PATH"]).resolve().parent / "builds")
        self.record_key = key_of("build record", str(self.output))
        self.stamps: dict[str, tuple[int, int]] = {}
        self.files = 0
        self.key: str | None = None
        self._head: bytes = b""  # the settings, environment and Python part of the keys
        self._sources: dict[str, bytes] = {}  # the bytes of each source under PATH (subsites key)
        self._digests: dict[str, bytes] = {}  # every other input file's hash (subsites key)
        self._subsites_key: str | None = None
        self._record = _UNREAD  # the last build's record (_recorded)
        try:
            self.key = self.inputs_key()
        except Undescribed:  # then no build of these settings stops early, nor is recorded
            pass

    def _roots(self) -> tuple[list[Path], list[Path]]:
        skip = [self.staging] + ([self.output] if self.output else [])
        return _folders(self.settings), skip

    def inputs_key(self) -> str:
        """The hash of everything a build reads (see the module's docstring)."""
        roots, skip = self._roots()
        settings = _settings_text(self.settings, str(self.staging))
        digest = hashlib.blake2b(digest_size=20)
        for part in (settings, json.dumps(_environment(), sort_keys=True), "\n".join(_distributions()), sys.version):
            self._head += part.encode("utf-8", "surrogateescape") + b"\0"
        digest.update(self._head)
        content = Path(self.settings.get("PATH", ".")).resolve()
        for path, st in _files(roots, skip):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if path.suffix.lower() in SOURCE_SUFFIXES and path.is_relative_to(content):
                self._sources[str(path)] = data
            else:
                self._digests[str(path)] = hashlib.blake2b(data, digest_size=20).digest()
            self.stamps[str(path)] = (st.st_size, st.st_mtime_ns)
            digest.update(f"{path}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
            digest.update(data)
        self.files = len(self.stamps)
        return digest.hexdigest()

    def subsites_key(self) -> str | None:
        """The inputs key with each main-language source counted by its view from the other
        languages (see the module's docstring); None without an inputs key. Made from the
        bytes the inputs key hashed, when first asked (a build that is up to date never is)."""
        if self.key is None:
            return None
        if self._subsites_key is None:
            main_lang = str(self.settings.get("DEFAULT_LANG", ""))
            # Each source's view, remembered by the hash of its bytes from the last build
            # (reading a thousand headers again costs a tenth of a second; a hash of the bytes
            # a hundredth): {file: [hash of its bytes, hash of its view, or "" for none]}.
            memo_key = key_of("subsite views", main_lang, code_version())
            known = self.store.get(memo_key, "the other languages' views of the sources")
            known = known if isinstance(known, dict) else {}
            views = {}
            digest = hashlib.blake2b(digest_size=20)
            digest.update(self._head)
            for name in self.stamps:  # the files the inputs key hashed, in its order
                data = self._sources.get(name)
                if data is None:  # not a source: counted by the hash the inputs key made
                    whole = self._digests.get(name) or hashlib.blake2b(b"", digest_size=20).digest()
                    digest.update(f"{name}\0file\0".encode("utf-8", "surrogateescape") + whole)
                    continue
                whole = hashlib.blake2b(data, digest_size=20).digest()
                seen = known.get(name)
                if isinstance(seen, list) and len(seen) == 2 and seen[0] == whole.hex() and isinstance(seen[1], str):
                    view_digest = seen[1]
                else:
                    view = other_language_view(Path(name), data, main_lang)
                    view_digest = hashlib.blake2b(view, digest_size=20).hexdigest() if view is not None else ""
                views[name] = [whole.hex(), view_digest]
                if view_digest:
                    digest.update(f"{name}\0view\0".encode("utf-8", "surrogateescape") + bytes.fromhex(view_digest))
                else:
                    digest.update(f"{name}\0file\0".encode("utf-8", "surrogateescape") + whole)
            if views != known:
                self.store.put(memo_key, views)
            self._subsites_key = digest.hexdigest()
        return self._subsites_key

    def subsite_folders(self) -> dict[str, str]:
        """Each language subsite's folder in the output (``{"en": "en"}``), as i18n_subsites
        places it: its own OUTPUT_PATH, else the main one's folder named after the language.
        A subsite whose folder is not inside the main site's is left out."""
        found = {}
        for lang, overrides in (self.settings.get("I18N_SUBSITES") or {}).items():
            if not isinstance(overrides, dict):
                continue
            where = overrides.get("OUTPUT_PATH") or os.path.join(self.staging, lang)
            rel = os.path.relpath(os.path.abspath(where), self.staging)
            if rel != os.curdir and not rel.startswith(os.pardir) and not os.path.isabs(rel):
                found[str(lang)] = Path(rel).as_posix()
        return found

    def kept_subsites(self) -> dict[str, str]:
        """The language subsites this build may link from output/ instead of writing them
        (``{lang: folder}``): the recorded build's subsites key is this build's, and each
        subsite's folder in output/ is in the state that build left it."""
        if self.key is None or self.output is None:
            return {}
        record = self._recorded()
        subsites = record.get("subsites") if isinstance(record, dict) else None
        if not isinstance(subsites, dict) or subsites.get("key") != self.subsites_key():
            return {}
        states = subsites.get("folders")
        kept = {}
        for lang, rel in self.subsite_folders().items():
            state = output_state(self.output / rel)
            if state is not None and isinstance(states, dict) and [state[0], state[1]] == states.get(rel):
                kept[lang] = rel
        return kept

    def kept_view(self, lang: str):
        """What the recorded build's reading of the kept subsite ``lang`` gave the other sites
        (``datadesk.kept.views``), or None: then it is read again. Only for a subsite
        :meth:`kept_subsites` keeps, whose subsites key is this build's."""
        subsites = self._recorded().get("subsites") if isinstance(self._recorded(), dict) else None
        found = subsites.get("views") if isinstance(subsites, dict) else None
        return found.get(lang) if isinstance(found, dict) else None

    def _unchanged_since_hashed(self) -> bool:
        roots, skip = self._roots()
        now = {str(path): (st.st_size, st.st_mtime_ns) for path, st in _files(roots, skip)}
        return now == self.stamps

    def _recorded(self):
        """The record of the last build of the output folder, read once (None if there is none)."""
        if self._record is _UNREAD:
            self._record = self.store.get(self.record_key, f"the last build of {self.output.name}/")
        return self._record

    def up_to_date(self) -> bool:
        """True when the record of the output folder names this inputs key and the output
        folder is in the state the recorded build left it."""
        if self.key is None or self.output is None:
            return False
        record = self._recorded()
        if not isinstance(record, dict) or record.get("inputs") != self.key:
            return False
        state = output_state(self.output)
        if state is None or [state[0], state[1]] != record.get("output"):
            return False
        self.output_files = state[1]
        return True

    def record(self) -> bool:
        """After a build that succeeded (the staging folder is complete): keep the inputs key
        and the staging folder's state, unless an input changed while the build ran; then
        the previous record is removed, so the next build runs in full."""
        if self.key is None or self.output is None:
            return False
        subsites = list(self.subsite_folders().values())
        state, states = output_states(self.staging, subsites)  # one walk for all of them
        if state is None or not self._unchanged_since_hashed():
            self.store.put(self.record_key, {"inputs": None, "output": None})
            return False
        from .kept import views

        folders = {}
        for rel in subsites:
            found = states.get(os.path.normpath(rel))
            if found is not None:
                folders[rel] = [found[0], found[1]]
        self.store.put(self.record_key, {"inputs": self.key, "output": [state[0], state[1]],
                                         "subsites": {"key": self.subsites_key(), "folders": folders,
                                                      "views": views(self.settings)}})
        return True

    def report(self) -> dict:
        """The build's report (``last-build.json``) when it stopped as up to date: nothing
        converted, rendered, validated or written."""
        return {"up to date": {"input files hashed": self.files, "output files checked": self.output_files},
                "articles": {"converted": 0}, "pages": {"written": 0}, "output": {"written": 0},
                "charts": {"prepared": 0}, "datasets": {"validated": 0}, "charts_drawn": {"renders": 0}}
