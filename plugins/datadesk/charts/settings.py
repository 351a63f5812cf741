"""CHARTS_* settings: name, default and help in one place (README.md documents each)."""

from __future__ import annotations

from pathlib import Path

from .errors import ChartsSettingsError

SETTINGS = {
    "CHARTS_DIR": ("charts", "folder of chart definitions (<id>.py or <id>.yaml), relative to PATH (content/)"),
    "CHARTS_CACHE_PATH": (".cache/charts", "cache of rendered artefacts; relative to the project root "
                                           "(the folder holding content/)"),
    "CHARTS_OUTPUT_DIR": ("charts", "folder of each language site where artefacts and embed pages go "
                                    "(charts/<id>/)"),
    "CHARTS_WORKERS": (2, "threads rendering the charts that miss the cache (0: one per CPU)"),
    "CHARTS_MAX_ROWS": (5000, "rows a chart may pass to Vega-Lite; a chart may raise it with MAX_ROWS and "
                              "MAX_ROWS_REASON"),
    "CHARTS_WIDTH": (680, "intrinsic width in px of the static picture for wider screens (and of the PNG, "
                          "before scaling)"),
    "CHARTS_NARROW_WIDTH": (380, "intrinsic width in px of the static picture for phones"),
    "CHARTS_PNG_SCALE": (2, "scale of the PNG download and social card (2 = twice the wide picture)"),
    "CHARTS_VL_VERSION": ("6.4", "Vega-Lite version vl-convert compiles with"),
    "CHARTS_TABLE_MAX_ROWS": (60, "rows shown in the data-table alternative (the CSV has them all)"),
    "CHARTS_MIN_DELTA_E": (10.0, "smallest CIEDE2000 distance allowed between two colours of one chart, in "
                                 "normal vision and simulated protanopia, deuteranopia and tritanopia"),
    "CHARTS_EMBED_PAGES": (True, "write the minimal embed page charts/<id>/index.html for every chart"),
}
DEFAULTS = {name: default for name, (default, _help) in SETTINGS.items()}


def values(settings: dict) -> dict:
    """The CHARTS_* values with defaults filled in; unknown keys and wrong types are errors."""
    unknown = sorted(k for k in settings if k.startswith("CHARTS_") and k not in SETTINGS)
    if unknown:
        raise ChartsSettingsError(f"pelicanconf.py: unknown setting {', '.join(unknown)}; expected one of "
                                  f"{', '.join(SETTINGS)}. Fix the name (see plugins/datadesk/README.md).")
    out = {}
    for key, default in DEFAULTS.items():
        value = settings.get(key, default)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) if isinstance(default, float) \
            else isinstance(value, type(default)) and not (isinstance(value, bool) and not isinstance(default, bool))
        if not ok:
            raise ChartsSettingsError(f"pelicanconf.py: {key} = {value!r}; expected a {type(default).__name__} "
                                      f"like {default!r}. Fix the value (see plugins/datadesk/README.md).")
        out[key] = value
    return out


def project_root(settings: dict) -> Path:
    return Path(settings.get("PATH", "content")).resolve().parent


def charts_dir(settings: dict, conf: dict) -> Path:
    path = Path(conf["CHARTS_DIR"])
    return path if path.is_absolute() else Path(settings.get("PATH", "content")).resolve() / path


def cache_dir(settings: dict, conf: dict) -> Path:
    path = Path(conf["CHARTS_CACHE_PATH"])
    return path if path.is_absolute() else project_root(settings) / path
