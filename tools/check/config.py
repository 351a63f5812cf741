"""Budgets and thresholds for `invoke check`: the one place they live.

Defaults are here; `pelicanconf.py` may override any of them with a
``QUALITY_BUDGETS`` dict (same keys).  Unknown keys are an error naming the
key, so a typo cannot silently switch a budget off.
"""

from __future__ import annotations

import copy
import runpy
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Sizes are gzipped KiB (1024 bytes), what a reader on a slow phone downloads.
# Measured on the real site when these were set: home 5.9, heaviest chart article 18.4,
# runtime 152.4. Room to grow, not room to double the Vega bundle unnoticed.
DEFAULT_BUDGETS: dict = {
    # HTML + render-blocking CSS/JS + non-lazy images of the page.
    "first_paint_gz_kib": {
        "home": 30,
        "chart_article": 60,
    },
    # theme/vendor/*.js + charts.js: fetched only on pages with charts.
    "runtime_gz_kib": 170,
    # Each static chart picture, in KiB before gzip (an SVG is parsed and drawn whole,
    # and the download link serves it as is). Measured when set: phone 41, wide 53
    # (the outage heatmap, the densest chart).
    "chart_svg_kib": {
        "narrow": 60,
        "wide": 90,
    },
    # Lighthouse 12 category scores (0-100), mobile.
    "lighthouse_min_scores": {
        "performance": 95,
        "accessibility": 100,
        "best-practices": 100,
        "seo": 100,
    },
}

HELP = {
    "first_paint_gz_kib": "gzipped KiB a page needs for first paint, per page kind (home, chart_article)",
    "runtime_gz_kib": "gzipped KiB of the interactive chart runtime (vendor JS + charts.js)",
    "chart_svg_kib": "KiB before gzip of each static chart SVG, per picture (narrow: phone, wide)",
    "lighthouse_min_scores": "minimum Lighthouse category scores, 0-100",
}

# Where the interactive runtime lands in the output (THEME_STATIC_DIR = "theme").
RUNTIME_GLOBS = ["theme/vendor/**/*.js", "theme/vendor/**/*.mjs", "theme/js/charts.js"]

# The sub-path the checked site is served under, as on GitHub project pages.
SERVE_PREFIX = "/energy-front/"


class ConfigError(ValueError):
    """QUALITY_BUDGETS in pelicanconf.py names an unknown key or a bad value."""


def merge_budgets(overrides: dict | None, source: str = "pelicanconf.py") -> dict:
    """Return the defaults with ``overrides`` applied, rejecting unknown keys."""
    budgets = copy.deepcopy(DEFAULT_BUDGETS)
    for key, value in (overrides or {}).items():
        if key not in budgets:
            known = ", ".join(sorted(budgets))
            raise ConfigError(
                f"{source}: QUALITY_BUDGETS has unknown key {key!r}; expected one of {known}. "
                "Fix the spelling or remove it.")
        default = budgets[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{source}: QUALITY_BUDGETS[{key!r}] is {value!r}; expected a dict "
                    f"with keys {', '.join(default)}.")
            for sub, number in value.items():
                if sub not in default:
                    raise ConfigError(
                        f"{source}: QUALITY_BUDGETS[{key!r}] has unknown key {sub!r}; "
                        f"expected one of {', '.join(default)}.")
                default[sub] = _number(number, f"{key}.{sub}", source)
        else:
            budgets[key] = _number(value, key, source)
    return budgets


def _number(value, name: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(
            f"{source}: QUALITY_BUDGETS {name} is {value!r}; expected a number >= 0.")
    return value


def load_budgets(settings_file: Path | None = None) -> dict:
    """Budgets from ``QUALITY_BUDGETS`` in pelicanconf.py (if any) over the defaults."""
    settings_file = settings_file or REPO / "pelicanconf.py"
    overrides = None
    if settings_file.is_file():
        # runpy, not Pelican's read_settings: we only want the one dict, without
        # Pelican's defaults machinery or plugin imports.
        overrides = runpy.run_path(str(settings_file)).get("QUALITY_BUDGETS")
    return merge_budgets(overrides, source=settings_file.name)
