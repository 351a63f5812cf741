"""Walking a compiled Vega-Lite spec: its unit views with their marks, encodings and data."""

from __future__ import annotations

from dataclasses import dataclass

from .. import lazy

pd = lazy.module("pandas")


COMPOSE = ("layer", "vconcat", "hconcat", "concat")


@dataclass
class View:
    mark: dict
    encoding: dict
    data: pd.DataFrame | None
    transforms: list


def _data(node: dict, datasets: dict, inherited):
    data = node.get("data")
    if isinstance(data, dict):
        if "name" in data and data["name"] in datasets:
            return pd.DataFrame(datasets[data["name"]])
        if "values" in data and isinstance(data["values"], list):
            return pd.DataFrame(data["values"])
    return inherited


def views(spec: dict):
    """Every unit view (one mark) with the encoding and data it inherits from its parents."""
    datasets = spec.get("datasets", {})

    def visit(node, data, encoding, transforms):
        data = _data(node, datasets, data)
        encoding = {**encoding, **node.get("encoding", {})}
        transforms = transforms + list(node.get("transform", []))
        if "spec" in node:  # facet / repeat
            yield from visit(node["spec"], data, encoding, transforms)
            return
        children = [c for key in COMPOSE for c in node.get(key, [])]
        if children:
            for child in children:
                yield from visit(child, data, encoding, transforms)
            return
        if "mark" in node:
            mark = node["mark"] if isinstance(node["mark"], dict) else {"type": node["mark"]}
            yield View(mark=mark, encoding=encoding, data=data, transforms=transforms)

    yield from visit(spec, None, {}, [])


def channel_title(channel: dict) -> str | None:
    """The title a reader sees on an axis or legend (None if hidden or absent)."""
    for key in ("axis", "legend"):
        holder = channel.get(key, {})
        if holder is None:
            return None
        if isinstance(holder, dict) and "title" in holder:
            return _join(holder["title"])
    return _join(channel.get("title"))


def _join(title):
    if isinstance(title, list):
        return " ".join(str(t) for t in title)
    return title
