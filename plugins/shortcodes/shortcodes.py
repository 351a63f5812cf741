"""Editor shortcodes in Markdown: ``{{ chart some_id }}``, ``{{ value ... }}``.

A Markdown preprocessor finds shortcodes before any other Markdown processing,
while the line numbers still match the file the editor wrote, and hands each one
to the handler another plugin registered for its name. Handlers return HTML;
errors they raise come back to the editor as ``content/x.fr.md:12: message``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

logger = logging.getLogger(__name__)

SHORTCODE = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)\b(.*?)\}\}")
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
LANG_LINE = re.compile(r"^lang:\s*(\S+)\s*$", re.IGNORECASE)


class ShortcodeError(Exception):
    """A shortcode an editor wrote cannot be honoured; the message says why and how to fix it."""


@dataclass
class ShortcodeContext:
    path: str  # project-relative path of the Markdown file
    line: int  # 1-based line in that file (0 in metadata fields)
    lang: str
    settings: dict
    block: bool  # the shortcode stands alone on its line
    metadata: dict = field(default_factory=dict)


Handler = Callable[[str, ShortcodeContext], str]
_HANDLERS: dict[str, Handler] = {}


def register_handler(name: str, handler: Handler) -> None:
    """Let a plugin answer ``{{ name ... }}``; the last registration wins."""
    _HANDLERS[name] = handler


def handlers() -> dict[str, Handler]:
    return dict(_HANDLERS)


def display_path(path: str | Path, settings: dict) -> str:
    """Path as the editor knows it: relative to the project (the folder holding PATH)."""
    path = Path(path).resolve()
    root = Path(settings.get("PATH", ".")).resolve().parent
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def header_lang(lines: list[str], path: str, default: str) -> str:
    """Language of the document: its ``Lang:`` line, else its ``.fr.md`` suffix, else the default."""
    for line in lines:
        if not line.strip():
            break
        match = LANG_LINE.match(line.strip())
        if match:
            return match.group(1).lower()
    suffixes = Path(path).suffixes
    if len(suffixes) >= 2 and len(suffixes[-2]) == 3:
        return suffixes[-2][1:].lower()
    return default


META_LINE = re.compile(r"^[ ]{0,3}[A-Za-z0-9_-]+:")
META_MORE = re.compile(r"^[ ]{4,}")


def front_matter_length(lines: list[str]) -> int:
    """How many leading lines Markdown's meta extension takes as metadata."""
    index = 1 if lines and re.match(r"^-{3}(\s.*)?$", lines[0]) else 0
    while index < len(lines) and lines[index].strip():
        if re.match(r"^(-{3}|\.{3})(\s.*)?$", lines[index]):
            return index + 1
        if not (META_LINE.match(lines[index]) or (index and META_MORE.match(lines[index]))):
            break
        index += 1
    return index


class ShortcodePreprocessor(Preprocessor):
    def __init__(self, md: Markdown, ext: "ShortcodeExtension"):
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        ext = self.ext
        if ext.lang is None:
            ext.lang = header_lang(lines, ext.path, ext.settings.get("DEFAULT_LANG", "fr"))
        lang = ext.lang
        out: list[str] = []
        errors: list[str] = []
        in_fence = None
        # The front matter is left to the meta extension: Pelican converts Summary again
        # on its own (line_offset -1), and a stashed placeholder would not survive that.
        header = front_matter_length(lines) if ext.line_offset >= 0 else 0
        for index, line in enumerate(lines):
            if index < header:
                out.append(line)
                continue
            fence = FENCE.match(line)
            if fence:
                marker = fence.group(1)
                in_fence = None if in_fence == marker else (in_fence or marker)
                out.append(line)
                continue
            if in_fence or "{{" not in line:
                out.append(line)
                continue
            lineno = index + 1 + ext.line_offset if ext.line_offset >= 0 else 0
            out.extend(self._expand(line, lineno, lang, errors))
        if errors:
            raise ShortcodeError("\n".join(errors))
        return out

    def _expand(self, line: str, lineno: int, lang: str, errors: list[str]) -> list[str]:
        protected = [m.span() for m in CODE_SPAN.finditer(line)]
        block = bool(SHORTCODE.fullmatch(line.strip()))

        def replace(match: re.Match) -> str:
            if any(a <= match.start() < b for a, b in protected):
                return match.group(0)
            name, args = match.group(1), match.group(2).strip()
            where = f"{self.ext.display}:{lineno}" if lineno else f"{self.ext.display} (metadata)"
            handler = _HANDLERS.get(name)
            if handler is None:
                known = ", ".join(sorted(_HANDLERS)) or "none"
                errors.append(
                    f"{where}: unknown shortcode {{{{ {name} }}}}; expected one of: {known}. "
                    f"Check the spelling (see EDITING.md)."
                )
                return ""
            ctx = ShortcodeContext(
                path=self.ext.display, line=lineno, lang=lang,
                settings=self.ext.settings, block=block,
            )
            try:
                html = handler(args, ctx)
            except ShortcodeError as exc:
                errors.append(f"{where}: {exc}")
                return ""
            return self.md.htmlStash.store(html)

        expanded = SHORTCODE.sub(replace, line)
        # A block shortcode becomes its own paragraph-level chunk of raw HTML.
        return ["", expanded, ""] if block else [expanded]


class ShortcodeExtension(Extension):
    def __init__(self, path: str, settings: dict, line_offset: int = 0):
        super().__init__()
        self.path = path
        self.settings = settings
        self.display = display_path(path, settings)
        self.line_offset = line_offset
        self.lang: str | None = None

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API)
        # After "normalize_whitespace" (30), which deletes the stash's placeholder markers,
        # and before "meta" (27): lines still match the file.
        md.preprocessors.register(ShortcodePreprocessor(md, self), "shortcodes", 28)


class ShortcodeMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader with shortcodes expanded, knowing file and line."""

    def read(self, source_path):
        self._source_path = source_path
        ext = ShortcodeExtension(source_path, self.settings)
        config = dict(self.settings["MARKDOWN"])
        config["extensions"] = list(config.get("extensions", [])) + [ext]
        self._md = Markdown(**config)
        with pelican_open(source_path) as text:
            content = self._md.convert(text)
        metadata = {}
        if hasattr(self._md, "Meta"):
            # Formatted fields (Summary) are converted again: their lines are not the file's.
            ext.line_offset = -1
            metadata = self._parse_metadata(self._md.Meta)
        return content, metadata


def add_reader(readers) -> None:
    readers.reader_classes["md"] = ShortcodeMarkdownReader
    for ext in ShortcodeMarkdownReader.file_extensions:
        readers.reader_classes[ext] = ShortcodeMarkdownReader


def register() -> None:
    signals.readers_init.connect(add_reader)
