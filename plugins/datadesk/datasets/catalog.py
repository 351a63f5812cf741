"""catalog: the curated datasets as a validated, typed catalogue for the build.

Public API (other plugins import it from the ``datadesk`` package):

- ``get_catalog(settings_or_data_dir) -> Catalog``: validated and cached per
  process by the data files' mtimes and sizes; raises ``DataValidationError``
  whose ``str()`` is the whole report, one ``path:line:column: ...`` per problem.
- ``Catalog.names``, ``.frame(name)``, ``.resource(name)``, ``.dataset_url(name)``,
  ``.text(name, key, lang)``.
- ``record_usage(dataset_name, kind, title, url, lang)``: a chart or article
  says it uses a dataset; the dataset pages list it under "Used by". Call it
  while content is read (reader hooks, ``generate_context``), before
  ``generate_output``, when the pages are written.

Signals (connected by ``datadesk.register``): ``initialized`` (check settings,
validate: a bad file stops the build before anything is written),
``generator_init`` (``DATASETS`` in the template context, see pages.py),
``get_generators`` (the pages, see pages.py).
"""

from __future__ import annotations

import copy
import difflib
import logging
import os
from pathlib import Path

from .. import settings as settings_table
from ..errors import DeskError
from .frames import load_frame
from .package import description_path
from .problems import DataValidationError, Problem
from .validate import LAST_RUN, validate

logger = logging.getLogger(__name__)


_CACHE: dict[tuple, "Catalog | DataValidationError"] = {}
_USAGE: dict[str, dict[str, list[dict]]] = {}
# Typed frames by file, kept across catalogues: after one CSV changes, the others (the
# 40,000-row hourly table) are not parsed again. Path -> (mtime, size, schema, frame).
_FRAMES: dict[str, tuple] = {}


class UnknownDatasetError(DeskError, KeyError):
    """A dataset name the catalogue does not know (a KeyError too, for code that looks names up).
    Where an editor wrote the name (a shortcode, a chart), that file and line are added."""


class UnknownColumnError(DeskError, KeyError):
    """A column a dataset does not have."""


class Catalog:
    def __init__(self, data_dir: Path, descriptor: dict, output_dir: str = "data"):
        self.data_dir = Path(data_dir)
        self.descriptor = descriptor
        self.output_dir = output_dir.strip("/")
        self._resources = {r["name"]: r for r in descriptor["resources"]}
        self._frames: dict = {}
        self.validated: list[str] = []  # the files this catalogue's validation read again

    @property
    def names(self) -> list[str]:
        return list(self._resources)

    def __contains__(self, name: str) -> bool:
        return name in self._resources

    def _get(self, name: str) -> dict:
        if name not in self._resources:
            near = difflib.get_close_matches(str(name), self.names, n=1, cutoff=0.6)
            guess = f' Did you mean "{near[0]}"?' if near else ""
            raise UnknownDatasetError(
                f'unknown dataset "{name}"; the datasets are: {", ".join(sorted(self.names))}.{guess}',
                fix=f"Use one of these names (data/<name>.resource.json), or add the dataset with "
                    f"`invoke new-dataset data/{name}.csv`.")
        return self._resources[name]

    def resource(self, name: str) -> dict:
        """A copy of the datapackage.json resource (paired keys title_fr/title_en...)."""
        return copy.deepcopy(self._get(name))

    def frame(self, name: str):
        """The table as a pandas DataFrame typed by its schema (a copy: mutate freely)."""
        if name not in self._frames:
            res = self._get(name)
            path = self.data_dir / res["path"]
            stat = path.stat()
            key = (stat.st_mtime_ns, stat.st_size, repr(res["schema"]["fields"]))
            kept = _FRAMES.get(str(path))
            if kept is None or kept[0] != key:
                kept = (key, load_frame(path, res["schema"]["fields"]))
                _FRAMES[str(path)] = kept
            self._frames[name] = kept[1]
        return self._frames[name].copy()

    def dataset_url(self, name: str) -> str:
        """Site-relative URL of the dataset page: ``data/<name>/``."""
        self._get(name)
        return f"{self.output_dir}/{name}/"

    def csv_path(self, name: str) -> Path:
        return self.data_dir / self._get(name)["path"]

    def description_path(self, name: str) -> Path:
        """``data/<name>.resource.json``: the dataset's description (see package.py)."""
        self._get(name)
        return description_path(self.data_dir, name)

    def text(self, name: str, key: str, lang: str) -> str:
        """``title``/``description`` of a resource in ``lang`` (fr or en)."""
        return localized(self._get(name), key, lang)

    def field(self, name: str, column: str) -> dict:
        for fld in self._get(name)["schema"]["fields"]:
            if fld["name"] == column:
                return copy.deepcopy(fld)
        columns = [f["name"] for f in self._get(name)["schema"]["fields"]]
        raise UnknownColumnError(f'dataset "{name}" has no column "{column}"; its columns are: '
                                 f'{", ".join(columns)}.', fix="Use one of these names.")


def localized(obj: dict, key: str, lang: str) -> str:
    """Paired keys (``title_fr``) first, then a ``{"fr": ..., "en": ...}`` object, then the plain key."""
    if obj.get(f"{key}_{lang}"):
        return obj[f"{key}_{lang}"]
    value = obj.get(key)
    if isinstance(value, dict):
        return value.get(lang) or next(iter(value.values()), "")
    return value or ""


def _settings_values(settings: dict) -> dict:
    return settings_table.values(settings)


def data_dir_of(settings: dict) -> Path:
    """DATADESK_DATA_DIR; a relative path is taken from the site's folder (the parent of PATH,
    content/), as DATADESK_CHARTS_CACHE_PATH is, so a site's data/ is its own whatever folder
    the build runs in."""
    path = Path(_settings_values(settings)["DATADESK_DATA_DIR"])
    if not path.is_absolute():
        path = Path(settings.get("PATH", "content")).resolve().parent / path
    return path.resolve()


def _display_dir(data_dir: Path, root: Path | None) -> str:
    """How messages name the folder: relative to the project root (or cwd), else just its name."""
    try:
        return data_dir.resolve().relative_to((root or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return data_dir.name


def _fingerprint(data_dir: Path) -> tuple:
    """mtime and size of every file in the folder: enough for a livereload rebuild to skip validation."""
    # os.scandir, not glob + stat: every inline value and chart asks for the catalogue, so
    # this runs hundreds of times per build (glob made it ~0.2 s of a warm rebuild).
    entries = []
    with os.scandir(data_dir) as found:
        for entry in found:
            if entry.is_file():
                stat = entry.stat()
                entries.append((entry.name, stat.st_mtime_ns, stat.st_size))
    return (str(data_dir.resolve()), tuple(sorted(entries)))


def get_catalog(settings_or_data_dir, output_dir: str | None = None) -> Catalog:
    """The validated catalogue (cached); raises DataValidationError listing every problem."""
    if isinstance(settings_or_data_dir, (str, os.PathLike)):
        data_dir, out = Path(settings_or_data_dir), output_dir or settings_table.DATADESK.defaults["DATADESK_DATA_OUTPUT_DIR"]
    else:
        data_dir = data_dir_of(settings_or_data_dir)
        out = output_dir or _settings_values(settings_or_data_dir)["DATADESK_DATA_OUTPUT_DIR"]
    key = (_fingerprint(data_dir), out) if data_dir.is_dir() else None
    if key in _CACHE:
        cached = _CACHE[key]
        if isinstance(cached, DataValidationError):
            raise cached
        return cached
    display = _display_dir(data_dir, None)
    if not data_dir.is_dir():
        raise DataValidationError([Problem(display, None, None, "expected the data folder, found no such "
                                                                "folder. Set DATADESK_DATA_DIR or run `invoke curate`.")])
    descriptor, problems = validate(data_dir, display)
    result: Catalog | DataValidationError
    result = DataValidationError(problems) if problems else Catalog(data_dir, descriptor, out)
    if isinstance(result, Catalog):
        result.validated = list(LAST_RUN["validated"])
    _CACHE.clear()  # keep only the current state of the files
    _CACHE[key] = result
    if isinstance(result, DataValidationError):
        raise result
    return result


def record_usage(dataset_name: str, kind: str, title: str, url: str, lang: str) -> None:
    """Note that a chart or article (``kind``) titled ``title`` at site-relative ``url`` uses a dataset."""
    entries = _USAGE.setdefault(lang, {}).setdefault(dataset_name, [])
    entry = {"kind": kind, "title": title, "url": url}
    if entry not in entries:
        entries.append(entry)


def usages(dataset_name: str, lang: str) -> list[dict]:
    return sorted(_USAGE.get(lang, {}).get(dataset_name, []), key=lambda e: (e["kind"], e["title"], e["url"]))


def on_content_finalized(generator) -> None:
    """Articles and pages that declare ``Datasets: a, b`` in their metadata are listed under "Used by"."""
    lang = generator.settings.get("DEFAULT_LANG", "")
    items = list(getattr(generator, "articles", [])) + list(getattr(generator, "pages", []))
    known = None
    for item in items:
        declared = item.metadata.get("datasets")
        if not declared or getattr(item, "lang", lang) != lang:
            continue
        if known is None:
            known = get_catalog(generator.settings).names
        names = declared if isinstance(declared, list) else str(declared).split(",")
        for name in (n.strip() for n in names if n.strip()):
            if name not in known:
                logger.warning("%s: Datasets: expected a dataset name, found \"%s\". Use one of: %s.",
                               _content_path(generator, item), name, ", ".join(known))
                continue
            kind = "article" if item in getattr(generator, "articles", []) else "page"
            record_usage(name, kind, item.title, item.url, lang)


def _content_path(generator, item) -> str:
    root = Path(generator.settings.get("PATH", ".")).resolve().parent
    try:
        return Path(item.source_path).resolve().relative_to(root).as_posix()
    except ValueError:
        return item.source_path


def on_initialized(pelican) -> None:
    settings = pelican.settings
    values = _settings_values(settings)
    _USAGE.pop(settings.get("DEFAULT_LANG", ""), None)  # a new build of this language starts fresh
    if values["DATADESK_VALIDATE"]:
        get_catalog(settings)
