"""Smaller static SVGs, drawn exactly the same: what vl-convert writes for a picture also
carries what only the live view needs, and more digits than a screen can show.

* Invisible elements go: ``opacity="0"`` and ``display="none"`` subtrees (hover points and
  rules drawn only on hover) and shapes with neither fill nor stroke (the voronoi cells
  that pick the nearest point, empty group backgrounds). In a picture they can neither
  be seen nor hovered; the interactive view (Vega JSON) keeps them all.
* Coordinates are rounded to 1/100 px: the phone picture is never shown more than about
  twice its size, so the error stays far below a device pixel.
* Rect marks are drawn with crisp edges (as the live view draws them, see site.css), and
  the plain rectangles of one such mark that do not overlap become one ``<path>`` per
  colour: the heatmap's 1,656 cells in 21 colours are 21 elements.
* ``rgb(r, g, b)`` colours are written as ``#rrggbb``.

Why our own code: the Python SVG optimisers (scour) neither drop invisible marks nor
merge rectangles, and svgo would make Node a build dependency. This touches only the
attributes Vega's SVG renderer writes; anything else (``style``, ``<defs>``, clip paths,
gradients) is left as it is.
"""

from __future__ import annotations

import re

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
NUMBER = re.compile(r"-?(?:\d+\.\d+|\.\d+|\d+)(?:e-?\d+)?")
RGB = re.compile(r"^rgb\(\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3})\s*\)$")
RECT = re.compile(r"^M(-?[\d.]+),(-?[\d.]+)h(-?[\d.]+)v(-?[\d.]+)h(-?[\d.]+)Z$")
SHAPES = {"path", "rect", "line", "circle", "ellipse", "polygon", "polyline", "text"}
KEEP_SUBTREE = {"defs", "clipPath", "linearGradient", "radialGradient", "mask", "pattern", "marker",
                "symbol", "style", "title", "desc"}
GEOMETRY = ("d", "transform", "x", "y", "x1", "y1", "x2", "y2", "width", "height", "points", "r",
            "rx", "ry", "cx", "cy")
NONE = {"none", "transparent"}


def _local(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _number(match: re.Match) -> str:
    value = round(float(match.group(0)), 2)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def round_numbers(text: str) -> str:
    return NUMBER.sub(_number, text)


def _hex(value: str) -> str:
    match = RGB.match(value)
    if not match:
        return value
    return "#" + "".join(f"{min(int(c), 255):02x}" for c in match.groups())


def _zero(value: str | None) -> bool:
    try:
        return value is not None and float(value) == 0
    except ValueError:
        return False


def _invisible(el, fill: str, stroke: str) -> bool:
    if el.get("style"):
        return False
    no_fill = fill in NONE or _zero(el.get("fill-opacity"))
    no_stroke = stroke in NONE or _zero(el.get("stroke-width")) or _zero(el.get("stroke-opacity"))
    return no_fill and no_stroke


def _drop_invisible(el, fill: str = "black", stroke: str = "none") -> None:
    for child in list(el):
        name = _local(child)
        if name in KEEP_SUBTREE or not name:
            continue
        if child.get("opacity") is not None and _zero(child.get("opacity")) or child.get("display") == "none":
            el.remove(child)
            continue
        own_fill, own_stroke = child.get("fill", fill), child.get("stroke", stroke)
        if name in SHAPES and _invisible(child, own_fill, own_stroke):
            el.remove(child)
            continue
        if name in ("g", "a", "svg", "text"):
            _drop_invisible(child, own_fill, own_stroke)
            if name == "g" and len(child) == 0:
                el.remove(child)


def _rect(el):
    """(x, y, w, h) of a path that is a plain axis-aligned rectangle, else None."""
    if _local(el) != "path" or set(el.attrib) - {"d", "fill", "stroke", "stroke-width", "opacity",
                                                  "fill-opacity", "stroke-opacity"}:
        return None
    match = RECT.match(el.get("d", ""))
    if not match:
        return None
    x, y, w, h, back = (float(v) for v in match.groups())
    if abs(w + back) > 1e-6 or w <= 0 or h <= 0:
        return None
    return x, y, w, h


def _overlap(rects) -> bool:
    """Whether any two rectangles share interior area (sweep over x); slivers thinner
    than 0.05 px are rounding, not overlap."""
    eps = 0.05
    ordered = sorted(rects)
    active: list = []
    for x, y, w, h in ordered:
        active = [r for r in active if r[0] + r[2] > x + eps]
        for ax, ay, aw, ah in active:
            if ay < y + h - eps and y < ay + ah - eps:
                return True
        active.append((x, y, w, h))
    return False


def _merge_rects(group) -> None:
    """The plain rectangles of one mark that do not overlap become one <path> per style
    (their order cannot matter when none covers another). Rect marks are drawn with
    crisp edges, in the picture as in the live view (site.css): without antialiasing,
    cells that touch leave no seam, so one path draws exactly what separate cells do."""
    group.set("shape-rendering", "crispEdges")
    children = list(group)
    if len(children) < 4:
        return
    rects = [_rect(c) for c in children]
    if any(r is None for r in rects) or _overlap(rects):
        return
    styles: dict = {}
    for child, (x, y, w, h) in zip(children, rects):
        key = tuple(sorted((k, v) for k, v in child.attrib.items() if k != "d"))
        styles.setdefault(key, []).append(f"M{x:g},{y:g}h{w:g}v{h:g}h{-w:g}Z")
    if len(styles) == len(children):
        return
    for child in children:
        group.remove(child)
    for key, parts in styles.items():
        path = etree.SubElement(group, f"{{{SVG_NS}}}path")
        path.set("d", "".join(parts))
        for k, v in key:
            path.set(k, v)


def _walk(el) -> None:
    for child in el.iter():
        if not isinstance(child.tag, str):
            continue
        for attr in GEOMETRY:
            value = child.get(attr)
            if value is not None and child is not el:
                child.set(attr, round_numbers(value))
        for attr in ("fill", "stroke"):
            value = child.get(attr)
            if value and value.startswith("rgb("):
                child.set(attr, _hex(value))


def minify(svg: str, fonts: dict | None = None) -> str:
    """The same picture in fewer bytes (see the module docstring); ``fonts`` maps a
    font-family value to the one to write instead."""
    root = etree.fromstring(svg.encode("utf-8"))
    for el in root.iter():
        family = el.get("font-family") if isinstance(el.tag, str) else None
        if family and fonts and family in fonts:
            el.set("font-family", fonts[family])
    _drop_invisible(root, root.get("fill", "black"), root.get("stroke", "none"))
    _walk(root)
    for group in root.iter(f"{{{SVG_NS}}}g"):
        if {"mark-rect", "role-mark"} <= set((group.get("class") or "").split()):
            _merge_rects(group)
    return etree.tostring(root, encoding="unicode")
