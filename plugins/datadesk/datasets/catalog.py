"""catalog: the curated datasets as a validated, typed catalogue for the build.

Public API (other plugins import it from the ``datadesk`` package):

- ``get_catalog(settings_or_data_dir, desk=None, cache=None) -> Catalog``: validated
  once per build of a desk (datadesk/desk.py), and across builds through the desk's
  cache by the data files' content hashes; raises ``DataValidationError`` whose
  ``str()`` is the whole report, one ``path:line:column: ...`` per problem.
- ``Catalog.names``, ``.frame(name)``, ``.resource(name)``, ``.dataset_url(name)``,
  ``.text(name, key, lang)``.
- ``desk.record_usage(dataset_name, kind, title, url, lang)``: a chart or article
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
from ..snapshot import DeskCache, Snapshot
from .frames import load_frame
from .package import description_path
from .problems import DataValidationError, Problem
from .validate import validate

logger = logging.getLogger(__name__)


class UnknownDatasetError(DeskError, KeyError):
    """A dataset name the catalogue does not know (a KeyError too, for code that looks names up).
    Where an editor wrote the name (a shortcode, a chart), that file and line are added."""


class UnknownColumnError(DeskError, KeyError):
    """A column a dataset does not have."""


class Catalog:
    def __init__(self, data_dir: Path, descriptor: dict, output_dir: str = "data",
                 snapshot: Snapshot | None = None, cache: DeskCache | None = None):
        self.data_dir = Path(data_dir)
        self.descriptor = descriptor
        self.output_dir = output_dir.strip("/")
        self._resources = {r["name"]: r for r in descriptor["resources"]}
        self._frames: dict = {}
        self.snapshot = snapshot or Snapshot()
        # Typed frames kept across catalogues by content hash: after one CSV changes, the
        # others (the 40,000-row hourly table) are not parsed again.
        self.cache = cache or DeskCache()
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
            key = (self.snapshot.digest(path), repr(res["schema"]["fields"]))
            kept = self.cache.frames.get(str(path))
            if kept is None or kept[0] != key:
                kept = (key, load_frame(path, res["schema"]["fields"]))
                self.cache.frames[str(path)] = kept
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

    def publisher(self, name: str, lang: str) -> str:
        """Who published a dataset, in ``lang`` when its description says (``name_fr``)."""
        publisher = self._get(name).get("publisher") or {}
        return publisher.get(f"name_{lang}") or publisher.get("name", "")

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


def get_catalog(settings_or_data_dir, output_dir: str | None = None, desk=None,
                cache: DeskCache | None = None) -> Catalog:
    """The validated catalogue; raises DataValidationError listing every problem.

    With a ``desk`` (datadesk/desk.py), it is validated once per build and kept in the
    desk's cache by the content hashes of the data folder's files: the next build that
    finds the same bytes reuses it, and after an edit only the edited files are validated
    again. Without one (a test, a tool), ``cache`` plays that part, or nothing is kept."""
    by_settings = getattr(desk, "catalog_by_settings", None) if output_dir is None else None
    if by_settings is not None and id(settings_or_data_dir) in by_settings:
        # Asked at every shortcode: the same settings of this build, the same answer (the
        # folder is not resolved again).
        kept_settings, kept = by_settings[id(settings_or_data_dir)]
        if kept_settings is settings_or_data_dir:
            return kept
    if isinstance(settings_or_data_dir, (str, os.PathLike)):
        data_dir, out = Path(settings_or_data_dir).resolve(), output_dir or settings_table.DATADESK.defaults["DATADESK_DATA_OUTPUT_DIR"]
    else:
        data_dir = data_dir_of(settings_or_data_dir)
        out = output_dir or _settings_values(settings_or_data_dir)["DATADESK_DATA_OUTPUT_DIR"]
    if desk is not None:
        snapshot, cache = desk.snapshot, desk.cache
        if (data_dir, out) in desk.catalogs:
            if by_settings is not None:
                by_settings[id(settings_or_data_dir)] = (settings_or_data_dir, desk.catalogs[(data_dir, out)])
            return desk.catalogs[(data_dir, out)]
    else:
        snapshot, cache = Snapshot(), cache if cache is not None else DeskCache()
    key = (str(data_dir), snapshot.folder(data_dir), out) if data_dir.is_dir() else None
    if key is not None and key in cache.catalogs:
        result = cache.catalogs[key]
        validated = []
    else:
        display = _display_dir(data_dir, None)
        if not data_dir.is_dir():
            raise DataValidationError([Problem(display, None, None, "expected the data folder, found no such "
                                                                    "folder. Set DATADESK_DATA_DIR or run `invoke curate`.")])
        # Across build processes, the verdicts are kept on disk (.cache/datasets): a new
        # `invoke build` validates only the files whose bytes or description changed.
        store = desk.store("datasets") if desk is not None else None
        # Two files or more to validate: side by side in the build's worker processes.
        remote = []
        workers = {"pool": desk.pool(), "remote": remote} if desk is not None else {}
        descriptor, problems, validated = validate(data_dir, display, cache.checked, store, key[1], **workers)
        if desk is not None and remote:
            desk.count("datasets", "validated in workers", len(remote))
        result = DataValidationError(problems) if problems else Catalog(data_dir, descriptor, out, snapshot, cache)
        if isinstance(result, Catalog):
            result.validated = validated
        cache.catalogs.clear()  # keep only the current state of the files
        cache.catalogs[key] = result
    if desk is not None and isinstance(result, Catalog):
        desk.count("datasets", "validated", len(validated))
        desk.count("datasets", "cached", len(result.names) - len(validated))
    if isinstance(result, DataValidationError):
        raise result
    if desk is not None:
        result.snapshot = snapshot  # a catalogue kept from the last build reads this build's files
        result._frames = {}
        desk.catalogs[(data_dir, out)] = result
    if by_settings is not None:
        by_settings[id(settings_or_data_dir)] = (settings_or_data_dir, result)
    return result
