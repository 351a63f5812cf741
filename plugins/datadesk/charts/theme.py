"""The house chart theme: one Altair theme, registered once, in a light and a dark variant.

Colours are the Okabe–Ito set (colour-blind safe by design) on the site's own
background, text and border colours (theme/static/css/site.css). Chart definitions
name colours through ``t.color("blue")`` and never pick a theme; the build renders
each chart under the light theme and, for the dark picture, swaps every house colour
for its dark twin (``dark_colour``) and the config for the dark one.
"""

from __future__ import annotations

import copy

from .. import lazy

FONT = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
        '"Noto Sans", sans-serif')
# The static pictures are laid out (text measured) with this font, then written with
# FONT: a picture is drawn in the reader's own system font, which the build cannot know,
# so it is measured with one of the widest common sans fonts (DejaVu Sans, Debian's
# default, as wide as Verdana) and any narrower font fits. Where DejaVu Sans is not
# installed vl-convert falls back to FONT (Liberation Sans, Arial's metrics).
MEASURE_FONT = '"DejaVu Sans", ' + FONT


def measured(spec: dict) -> dict:
    """The spec with its text laid out in MEASURE_FONT (the static pictures, then written
    back with FONT; and the live view, so that a browser measuring its text with a canvas
    and drawing it as SVG resolves the same font for both)."""
    import json

    house, wide = (json.dumps(f, ensure_ascii=False)[1:-1] for f in (FONT, MEASURE_FONT))
    return json.loads(json.dumps(spec, ensure_ascii=False).replace(house, wide))

# name: (light, dark). Light values are Okabe–Ito; in the dark picture blue and sky are
# lifted and the pale tints deepened to read on the dark background (the other Okabe–Ito
# colours already do; lifting them brought pairs too close for tritanopes).
COLOURS = {
    "blue": ("#0072B2", "#56B4E9"),
    "orange": ("#E69F00", "#E69F00"),
    "green": ("#009E73", "#009E73"),
    "vermillion": ("#D55E00", "#D55E00"),
    "purple": ("#CC79A7", "#CC79A7"),
    "sky": ("#56B4E9", "#A8D8F4"),
    "grey": ("#7B848C", "#8D969E"),
    "pale_blue": ("#9BCBEB", "#235D85"),
    "pale_orange": ("#F5D08A", "#7A5200"),
    "ink": ("#1B1F23", "#E8EAED"),
    "muted": ("#50575E", "#AAB2BA"),
}
CATEGORY = ["blue", "orange", "green", "vermillion", "purple", "sky", "grey"]
# Sequential ramps run from the background towards ink, so "more" is always "more contrast".
RAMP = {
    "light": ["#FFF4E0", "#FDD49E", "#FC9E5B", "#E0611A", "#A63603", "#5E1F02"],
    "dark": ["#24211C", "#5C3510", "#9A5212", "#D9782A", "#F5AE62", "#FFE2B8"],
}
SITE = {  # theme/static/css/site.css: --bg --fg --muted --border
    "light": {"bg": "#FFFFFF", "fg": "#1B1F23", "muted": "#50575E", "border": "#C9CFD4",
              "grid": "#E3E7EA"},
    "dark": {"bg": "#14171A", "fg": "#E8EAED", "muted": "#AAB2BA", "border": "#3B434B",
             "grid": "#2A3036"},
}
MODES = ("light", "dark")
LABEL_SIZE = 13
TITLE_SIZE = 13


def colour(name: str, mode: str = "light") -> str:
    try:
        pair = COLOURS[name]
    except KeyError:
        raise KeyError(f'no house colour "{name}"; expected one of {", ".join(COLOURS)}') from None
    return pair[0 if mode == "light" else 1]


def palette(mode: str = "light") -> list[str]:
    return [colour(name, mode) for name in CATEGORY]


_DARK_TWIN = {light.lower(): dark for light, dark in COLOURS.values()}
_DARK_TWIN.update({a.lower(): b for a, b in zip(RAMP["light"], RAMP["dark"])})
_DARK_TWIN.update({SITE["light"][k].lower(): SITE["dark"][k] for k in SITE["light"]})


def dark_colour(value: str) -> str:
    """The dark twin of a house colour (other values are returned unchanged)."""
    return _DARK_TWIN.get(value.lower(), value) if isinstance(value, str) else value


def config(mode: str) -> dict:
    site = SITE[mode]
    main = colour("blue", mode)
    axis = {
        "labelColor": site["muted"], "titleColor": site["fg"], "labelFont": FONT, "titleFont": FONT,
        "labelFontSize": LABEL_SIZE, "titleFontSize": TITLE_SIZE, "titleFontWeight": "normal",
        "domainColor": site["border"], "tickColor": site["border"], "gridColor": site["grid"],
        "labelOverlap": True, "titlePadding": 8,
    }
    return {
        "background": "transparent",
        "font": FONT,
        "padding": 4,
        "view": {"stroke": None, "continuousWidth": 640, "continuousHeight": 360},
        "axis": axis,
        "axisBand": {"grid": False, "ticks": False},
        "axisQuantitative": {"grid": True, "tickCount": 5},
        "axisTemporal": {"grid": False},
        "legend": {"orient": "top", "direction": "horizontal", "labelColor": site["fg"],
                   "titleColor": site["fg"], "labelFont": FONT, "titleFont": FONT,
                   "labelFontSize": LABEL_SIZE, "titleFontSize": TITLE_SIZE,
                   "titleFontWeight": "normal", "symbolType": "square", "columnPadding": 12,
                   "labelLimit": 260},
        "title": {"anchor": "start", "font": FONT, "fontSize": 17, "fontWeight": 600,
                  "color": site["fg"], "subtitleFont": FONT, "subtitleFontSize": 13,
                  "subtitleColor": site["muted"], "subtitlePadding": 4, "offset": 10},
        "header": {"labelColor": site["fg"], "titleColor": site["fg"], "labelFont": FONT,
                   "titleFont": FONT, "labelFontSize": LABEL_SIZE, "titleFontSize": TITLE_SIZE},
        "range": {"category": palette(mode), "ramp": list(RAMP[mode]),
                  "heatmap": list(RAMP[mode])},
        "mark": {"color": main},
        "bar": {"color": main},
        "line": {"color": main, "strokeWidth": 2},
        "point": {"color": main, "filled": True, "size": 60},
        "area": {"color": main},
        "rule": {"color": site["fg"]},
        "text": {"color": site["fg"], "font": FONT, "fontSize": 12},
        "tick": {"color": main},
    }


def house() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(config=config("light"))


def house_dark() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(config=config("dark"))


def _register(altair) -> None:
    """Registers the house themes (light enabled) as soon as Altair is imported: Altair is
    imported when a chart is first prepared, not when the plugin loads (datadesk/lazy.py)."""
    altair.theme.register("house", enable=True)(house)
    altair.theme.register("house_dark", enable=False)(house_dark)


alt = lazy.module("altair", then=_register)


THEMES = {"light": "house", "dark": "house_dark"}


def to_dark(spec: dict) -> dict:
    """A rendered light spec as the dark picture: dark config, every house colour swapped."""
    def swap(node):
        if isinstance(node, dict):
            return {k: (v if k in ("datasets", "data", "values") else swap(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return dark_colour(node)

    dark = swap({k: v for k, v in spec.items() if k != "config"})
    light_cfg = config("light")
    own = {k: v for k, v in spec.get("config", {}).items() if light_cfg.get(k) != v}
    merged = copy.deepcopy(config("dark"))
    for key, value in swap(own).items():  # a chart's own config keys survive, swapped
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    dark["config"] = merged
    return dark
