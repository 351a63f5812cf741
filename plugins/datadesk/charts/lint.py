"""The chart lint: what fails the build before a reader ever sees the chart.

- a title and a source, in both languages; every text and label translated;
- every visible quantitative axis states its unit in its title;
- every category axis (nominal or ordinal x or y) has its field in a tooltip: its labels
  are cut with an ellipsis when too long (160 px on phones), so the tooltip and the data
  table must give them whole;
- every pair of colours a chart uses stays apart (CIEDE2000 >= DATADESK_CHARTS_MIN_DELTA_E) in
  normal vision and simulated protanopia, deuteranopia and tritanopia (Machado 2009), in
  the light and the dark picture; sequential colour ramps get lighter or darker steadily.
"""

from __future__ import annotations

from . import colour, theme
from .definitions import TEXT_KEYS, Definition
from .text import UNIT_NAMES, LANGS, T, TextError, pick
from .walk import channel_title, views

COLOUR_CHANNELS = ("color", "fill", "stroke")
SAFE_SCHEMES = {"viridis", "cividis", "magma", "inferno", "plasma", "blues", "greens", "greys",
                "oranges", "purples", "reds", "lightgreyteal", "lightgreyred"}


LANG_NAMES = {"fr": "French", "en": "English"}


def missing_text(defn: Definition, key: str, lang: str, group: str = "TEXT", value=None) -> tuple[str, str]:
    """(what is wrong, how to fix it) for a text a chart lacks in one language, in the words
    of the file the editor wrote (YAML keys, or the Python definition's dicts)."""
    word = LANG_NAMES.get(lang, lang)
    one_text = value is not None and not isinstance(value, dict)
    if defn.kind == "yaml":
        name = key if group == "TEXT" else f'{group.lower()} of "{key}"'
        under = key if group == "TEXT" else f"{key}:\" under \"{group.lower()}"
        if one_text:
            return (f'the {name} is one text ("{value}"); a chart\'s texts are written in French and '
                    f"in English",
                    f'Write two lines under "{under}:": "  fr: …" and "  en: …".')
        return (f"the {name} has no {word} text",
                f'Add a line "  {lang}: …" under "{under}:" (a chart\'s texts are written in French '
                f"and in English).")
    target = f'TEXT["{key}"]' if group == "TEXT" else f'{group}["{key}"]'
    if one_text:
        return (f'{target} is one text ("{value}"); a chart\'s texts are written in French and in English',
                f'Write it as {{"fr": "…", "en": "…"}}.')
    return f"{target} has no {word} text", f'Add "{lang}": "…" to {target}.'


def text_key(defn: Definition, key: str, group: str = "TEXT") -> str:
    """The definition key whose line a text problem points at."""
    if defn.kind == "yaml":
        return key if group == "TEXT" else group.lower()
    return group


def check_texts(defn: Definition, langs=LANGS) -> list[tuple[str, str]]:
    """(definition key, problem) for missing texts and translations, in ``langs`` (each
    language's build checks its own, so a missing text is reported once)."""
    problems = []
    for key in ("title", "source"):
        if not defn.text.get(key):
            if defn.kind == "yaml":
                problems.append((key, f'it has no {key}; add "{key}:" with a line "  fr: …" and a line '
                                      f'"  en: …" under it'))
            else:
                problems.append(("TEXT", f'it has no {key}; add TEXT["{key}"] = {{"fr": ..., "en": ...}}'))
    for key in TEXT_KEYS:
        if defn.text.get(key) is None:
            continue
        for lang in langs:
            try:
                pick(defn.text[key], lang, key)
            except TextError:
                what, fix = missing_text(defn, key, lang, value=defn.text[key])
                problems.append((text_key(defn, key), f"{what}; {fix[0].lower()}{fix[1:]}"))
    for group, entries in (("LABELS", defn.labels), ("UNITS", defn.units)):
        for name, value in entries.items():
            if group == "UNITS" and isinstance(value, str):
                if value not in UNIT_NAMES:
                    problems.append((text_key(defn, name, group),
                                     f'the unit of "{name}" is "{value}", a unit the site does not '
                                     f'know; use one of {", ".join(sorted(UNIT_NAMES))}, or write it in '
                                     'both languages, {fr: …, en: …}'))
                continue  # a schema unit name: the site translates it
            for lang in langs:
                try:
                    pick(value, lang, name)
                except TextError:
                    what, fix = missing_text(defn, name, lang, group, value)
                    problems.append((text_key(defn, name, group), f"{what}; {fix[0].lower()}{fix[1:]}"))
    return problems


def check_units(spec: dict, t: T) -> list[str]:
    problems = []
    for view in views(spec):
        for name in ("x", "y"):
            channel = view.encoding.get(name)
            if not isinstance(channel, dict) or channel.get("type") != "quantitative":
                continue
            if channel.get("axis", {}) is None:
                continue  # no axis drawn: values are labelled some other way
            field = channel.get("field") or channel.get("aggregate") or "?"
            title = channel_title(channel)
            try:
                unit = t.unit(field)
            except TextError as exc:
                problems.append(f'the {name} axis ("{field}") is quantitative but {exc}')
                continue
            if not title or unit not in str(title):
                problems.append(f'the {name} axis title "{title or ""}" does not give the unit "{unit}" of '
                                f'"{field}"; title it with t.axis_title("{field}") or write the unit in it')
    return sorted(set(problems))


def _used_colours(spec: dict, mode: str) -> tuple[list[str], list[list[str]]]:
    """(categorical colours, sequential ramps) a spec draws with."""
    cfg = spec.get("config", {})
    category = cfg.get("range", {}).get("category", theme.palette(mode))
    ramp = cfg.get("range", {}).get("ramp", theme.RAMP[mode])
    found, ramps = [], []
    for view in views(spec):
        for key in COLOUR_CHANNELS:
            if isinstance(view.mark.get(key), str):
                found.append(view.mark[key])
            channel = view.encoding.get(key)
            if not isinstance(channel, dict):
                continue
            if isinstance(channel.get("value"), str):
                found.append(channel["value"])
            for cond in _as_list(channel.get("condition")):
                if isinstance(cond, dict) and isinstance(cond.get("value"), str):
                    found.append(cond["value"])
            if "field" not in channel:
                continue
            scale = channel.get("scale") or {}
            if channel.get("type") == "quantitative":
                if isinstance(scale.get("range"), list):
                    ramps.append(scale["range"])
                elif scale.get("scheme"):
                    name = scale["scheme"] if isinstance(scale["scheme"], str) else scale["scheme"].get("name")
                    ramps.append(["scheme:" + str(name)])
                else:
                    ramps.append(ramp)
                continue
            if isinstance(scale.get("range"), list):
                found.extend(scale["range"])
                continue
            count = len(scale["domain"]) if isinstance(scale.get("domain"), list) else (
                view.data[channel["field"]].nunique() if view.data is not None and channel["field"] in view.data
                else len(category))
            found.extend(category[:count])
    return [c for c in dict.fromkeys(found) if colour.parse(c)], ramps


def _as_list(value):
    return value if isinstance(value, list) else [value] if value is not None else []


def check_colours(spec: dict, mode: str, minimum: float) -> list[str]:
    problems = []
    used, ramps = _used_colours(spec, mode)
    for c1, c2, vision, d in colour.closest_pairs(used, minimum)[:1]:
        seen = "in normal vision" if vision == "normal" else f"with {vision}"
        problems.append(f"in the {mode} picture, colours {c1} and {c2} look alike {seen} "
                        f"(CIEDE2000 {d:.1f} < {minimum:g}); pick house colours further apart "
                        f'(t.color("blue"), "orange", "green", "vermillion", "purple") or show fewer categories')
    for ramp in ramps:
        if ramp and ramp[0].startswith("scheme:"):
            name = ramp[0][7:]
            if name.lower() not in SAFE_SCHEMES:
                problems.append(f'colour scheme "{name}" is not known to be colour-blind safe; use the house '
                                f"ramp (no scheme) or one of {', '.join(sorted(SAFE_SCHEMES))}")
            continue
        solid = [c for c in ramp if colour.parse(c)]
        for vision in colour.VISIONS:
            steps = [colour.lightness(c, vision) for c in solid]
            diffs = [b - a for a, b in zip(steps, steps[1:])]
            if diffs and not (all(d > 1 for d in diffs) or all(d < -1 for d in diffs)):
                problems.append(f"in the {mode} picture, the colour ramp {solid} does not get steadily lighter "
                                f"or darker with {vision}; use the house ramp")
                break
    return problems


def _fields(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [i.get("field") for i in items if isinstance(i, dict) and i.get("field")]


def check_category_tooltips(spec: dict) -> list[str]:
    found = list(views(spec))
    tipped = {f for view in found for f in _fields(view.encoding.get("tooltip"))}
    problems = []
    for view in found:
        for name in ("x", "y"):
            channel = view.encoding.get(name)
            if not isinstance(channel, dict) or channel.get("type") not in ("nominal", "ordinal") \
                    or channel.get("axis", {}) is None or not channel.get("field"):
                continue
            field = channel["field"]
            if field not in tipped:
                problems.append(f'the {name} axis shows the categories of "{field}", which no tooltip '
                                f'shows; add alt.Tooltip("{field}:N", ...) (an axis cuts long labels '
                                "with an ellipsis, the tooltip gives them whole)")
                tipped.add(field)
    return problems


def lint_with_keys(defn: Definition, specs: dict, t: T, minimum: float) -> list[tuple[str, str]]:
    """(definition key the problem is about, 'what is wrong; how to fix it')."""
    problems = check_texts(defn, (t.lang,))
    problems += [("chart", p) for p in check_units(specs["wide"], t)]
    problems += [("chart", p) for p in check_category_tooltips(specs["wide"])]
    problems += [("chart", p) for p in check_colours(specs["wide"], "light", minimum)]
    problems += [("chart", p) for p in check_colours(specs["wide_dark"], "dark", minimum)]
    return problems


def lint(defn: Definition, specs: dict, t: T, minimum: float) -> list[str]:
    """Every problem, as 'what is wrong; how to fix it' (empty when the chart may ship)."""
    return [problem for _key, problem in lint_with_keys(defn, specs, t, minimum)]
