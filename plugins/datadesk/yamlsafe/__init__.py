"""The one way the project reads YAML an editor wrote (chart files, the corrections log).

PyYAML's ``SafeLoader`` builds no Python objects, but it still expands aliases: a few
hundred bytes of ``&a [*b, *b, ...]`` grow into gigabytes. This loader refuses what an
editor never needs and an attacker would use, each with a ``file:line`` message:

- anchors (``&name``), aliases (``*name``) and merge keys (``<<``): refused outright;
- a file larger than ``max_bytes`` (read before parsing) or nested deeper than ``MAX_DEPTH``;
- the same key twice in one mapping (YAML would silently keep the last one);
- a value that must be text but YAML read as something else (``fr: yes`` is True,
  ``title: 2022`` a number): :func:`text` refuses it and says to quote it.

Mappings come back as :class:`Mapping` (a dict that knows the line of each key) and lists
as :class:`Sequence` (a list that knows the line of each item), so callers can point at
the exact line of a nested value.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import DeskError

from .words import explain  # the editor's usual slips, in plain words

DEFAULT_MAX_BYTES = 256 * 1024
MAX_DEPTH = 20
PLAIN_TYPES = {
    bool: "true or false: YAML reads yes, no, on and off that way",
    int: "a number", float: "a number",
}


class YamlError(DeskError, ValueError):
    """A YAML file cannot be used. ``where`` is ``file[:line]``; ``what`` what is wrong,
    ``fix`` how to fix it. ``str()`` is the whole one-line message."""

    def __init__(self, where: str, what: str, fix: str):
        self.where, self.what = where, what.rstrip(".")
        file, _, line = where.rpartition(":")
        file, line = (file, int(line)) if line.isdigit() else (where, None)
        super().__init__(f"{self.what}.", file=file, line=line, fix=fix)


class Mapping(dict):
    """A YAML mapping; ``line`` is where it starts, ``lines[key]`` where each key is."""

    line: int = 0
    lines: dict

    def where(self, shown_as: str, key=None) -> str:
        return f"{shown_as}:{self.lines.get(key, self.line) if key is not None else self.line}"


class Sequence(list):
    """A YAML list; ``line`` is where it starts, ``lines[i]`` where item i is."""

    line: int = 0
    lines: list


def _describe(value) -> str:
    if value is None:
        return "empty"
    for kind, words in PLAIN_TYPES.items():
        if type(value) is kind:
            return words
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def text(value, where: str, name: str, *, optional: bool = False) -> str | None:
    """``value`` if it is text; otherwise a YamlError telling the editor to quote it."""
    if isinstance(value, str):
        return value
    if value is None and optional:
        return None
    shown = "nothing" if value is None else f"{value!r} ({_describe(value)})"
    raise YamlError(where, f"{name} must be text, but YAML reads {shown}",
                    f'Put the text in double quotes, e.g. {name.rsplit(".", 1)[-1]}: "..."')


def _where(shown_as: str, mark) -> str:
    return f"{shown_as}:{mark.line + 1}" if mark is not None else shown_as


def _loader(shown_as: str):
    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise YamlError(_where(shown_as, event.start_mark),
                                f"an alias (*{event.anchor}) is not allowed",
                                "Write the value out in full where it is needed (aliases and anchors "
                                "can make a tiny file expand to gigabytes, so they are refused)")
            event = self.peek_event()
            if getattr(event, "anchor", None) is not None:
                raise YamlError(_where(shown_as, event.start_mark),
                                f"an anchor (&{event.anchor}) is not allowed",
                                "Remove it and write the value out in full wherever it is needed")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise YamlError(_where(shown_as, event.start_mark),
                                f"the YAML is nested more than {MAX_DEPTH} levels deep",
                                "Flatten it: no chart or log entry needs that many levels")
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def flatten_mapping(self, node):
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlError(_where(shown_as, key_node.start_mark),
                                    "a merge key (<<) is not allowed",
                                    "Write the keys out in full in this mapping")

        def construct_yaml_map(self, node):
            data = Mapping()
            data.line, data.lines = node.start_mark.line + 1, {}
            yield data
            self.flatten_mapping(node)
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise YamlError(_where(shown_as, key_node.start_mark), "a key is not a plain value",
                                    "Write keys as plain words, e.g. title:") from None
                if key in data:
                    raise YamlError(_where(shown_as, key_node.start_mark),
                                    f'the key "{key}" appears twice in the same mapping '
                                    f"(first at line {data.lines[key]})",
                                    "Keep one of them: YAML would silently use the last")
                data[key] = self.construct_object(value_node, deep=True)
                data.lines[key] = key_node.start_mark.line + 1

        def construct_yaml_seq(self, node):
            data = Sequence()
            data.line = node.start_mark.line + 1
            data.lines = [item.start_mark.line + 1 for item in node.value]
            yield data
            data.extend(self.construct_object(item, deep=True) for item in node.value)

    Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_yaml_map)
    Loader.add_constructor("tag:yaml.org,2002:seq", Loader.construct_yaml_seq)
    return Loader


def loads(source: str, shown_as: str, *, max_bytes: int = DEFAULT_MAX_BYTES):
    """Parse one YAML document from text; raise YamlError with ``shown_as:line``."""
    size = len(source.encode("utf-8"))
    if size > max_bytes:
        raise YamlError(shown_as, f"the file is {size:,} bytes; the limit is {max_bytes:,}",
                        "Split it, or check that it is the file you meant (a chart or log entry is a "
                        "few kilobytes)")
    loader = _loader(shown_as)(source)
    try:
        return loader.get_single_data()
    except YamlError:
        raise
    except yaml.constructor.ConstructorError as exc:
        raise YamlError(_where(shown_as, exc.problem_mark), "YAML tags (!!name) are not allowed here",
                        "Remove the tag and write plain text, numbers, lists and mappings") from None
    except yaml.MarkedYAMLError as exc:
        plain_words = explain(exc, source)
        if plain_words:
            index, what, fix = plain_words
            raise YamlError(f"{shown_as}:{index + 1}", what, fix) from None
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(_where(shown_as, mark), f"this is not valid YAML ({exc.problem or exc.context})",
                        "Check the indentation on that line, and put text that contains a colon "
                        "or starts with a quote, a dash or a bracket in double quotes") from None
    except yaml.YAMLError as exc:
        raise YamlError(shown_as, f"this is not valid YAML ({exc})",
                        "Check the file's indentation and quoting") from None
    finally:
        loader.dispose()


def load(path: Path, shown_as: str, *, max_bytes: int = DEFAULT_MAX_BYTES):
    """Read ``path`` (size checked before reading it all) and parse it with :func:`loads`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlError(shown_as, f"the file cannot be read ({exc.strerror})",
                        "Check that it exists and is readable") from None
    if size > max_bytes:
        raise YamlError(shown_as, f"the file is {size:,} bytes; the limit is {max_bytes:,}",
                        "Split it, or check that it is the file you meant (a chart or log entry is a "
                        "few kilobytes)")
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(shown_as, f"the file is not UTF-8 text (byte {exc.start})",
                        "Save it as UTF-8") from None
    return loads(source, shown_as, max_bytes=max_bytes)


def plain(value):
    """The same data as plain dicts and lists (for code that serialises or compares it)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
