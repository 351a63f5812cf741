"""Where the charts' folders are; the DATADESK_CHARTS_* settings themselves are in the data
desk's one table (``datadesk/settings.py``)."""

from __future__ import annotations

from pathlib import Path

from .. import settings as desk_settings


def values(settings: dict) -> dict:
    """Every DATADESK_* value with defaults filled in; unknown keys and wrong types are errors."""
    return desk_settings.values(settings)


def project_root(settings: dict) -> Path:
    return Path(settings.get("PATH", "content")).resolve().parent


def charts_dir(settings: dict, conf: dict) -> Path:
    path = Path(conf["DATADESK_CHARTS_DIR"])
    return path if path.is_absolute() else Path(settings.get("PATH", "content")).resolve() / path


def cache_dir(settings: dict, conf: dict) -> Path:
    path = Path(conf["DATADESK_CHARTS_CACHE_PATH"])
    return path if path.is_absolute() else project_root(settings) / path
