"""Editor shortcodes in Markdown: ``{{ chart some_id }}``, ``{{ value ... }}``.

A Markdown preprocessor finds shortcodes before any other Markdown processing,
while the line numbers still match the file the editor wrote, and hands each one
to the handler registered for its name in the build's desk (``datadesk.register`` has
the desk register ``chart`` and ``value`` when the build starts). Handlers return HTML;
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
import sanitise
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, METADATA_PROCESSORS, MarkdownReader
from pelican.utils import pelican_open

from . import articles, placeholders
from .desk import Desk, desk_of
from .errors import DeskError
from .frontmatter import lang_of, parse
from .outputs import is_kept

logger = logging.getLogger(__name__)
DATES = ("date", "modified")
_DATE_PROCESSORS = {name: METADATA_PROCESSORS.get(name) for name in DATES}  # Pelican's own, as imported
pelican_readers_logger = logging.getLogger("pelican.readers")  # Pelican's own warnings, as it words them

SHORTCODE = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)\b(.*?)\}\}")
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


class ShortcodeError(DeskError):
    """A shortcode an editor wrote cannot be honoured; the message says why and how to fix it."""


@dataclass
class ShortcodeContext:
    path: str  # project-relative path of the Markdown file
    line: int  # 1-based line in that file (0 in metadata fields)
    lang: str
    settings: dict
    block: bool  # the shortcode stands alone on its line
    metadata: dict = field(default_factory=dict)
    desk: Desk | None = None  # the build's state (datadesk/desk.py); the settings' desk if None
    heading: str | None = None  # a chart's heading level, when known (a placeholder filled again)

    def __post_init__(self):
        if self.desk is None:
            self.desk = desk_of(self.settings)


Handler = Callable[[str, ShortcodeContext], str]


def display_path(path: str | Path, settings: dict) -> str:
    """Path as the editor knows it: relative to the project (the folder holding PATH)."""
    path = Path(path).resolve()
    root = Path(settings.get("PATH", ".")).resolve().parent
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def header_lang(lines: list[str], path: str, default: str) -> str:
    """Language of the document: its ``Lang:`` field (read by the project's one front-matter
    reader, frontmatter.py), else its ``.fr.md`` suffix, else the default."""
    return lang_of(parse("\n".join(lines)), path, default)


def front_matter_length(lines: list[str]) -> int:
    """How many leading lines Markdown's meta extension takes as metadata (the project's
    one front-matter reader, frontmatter.py, counts them as Markdown does)."""
    return parse("\n".join(lines)).meta_length


@dataclass
class Found:
    """One shortcode of a line: ``{{ name args }}`` spanning ``start:end``."""

    start: int
    end: int
    name: str
    args: str


NAME = re.compile(r"\s*([A-Za-z_][\w-]*)(?=\s|$)(.*)", re.S)


def protected_spans(line: str) -> list[tuple[int, int]]:
    """Inline code (`{{ chart x }}` shown as an example) is not a shortcode."""
    return [m.span() for m in CODE_SPAN.finditer(line)]


def parse_line(line: str) -> tuple[list[Found], list[str]]:
    """The shortcodes of one line, and the problems of its braces, in plain words.

    The one parser of the ``{{ … }}`` syntax: a shortcode opens and closes on the same
    line; an opening without its closing is reported here, at the line it opens on,
    instead of swallowing the next shortcode's arguments or being published as text."""
    found: list[Found] = []
    problems: list[str] = []
    protected = protected_spans(line)

    def is_code(pos: int) -> bool:
        return any(a <= pos < b for a, b in protected)

    pos = 0
    while True:
        opening = line.find("{{", pos)
        closing = line.find("}}", pos)
        while opening >= 0 and is_code(opening):
            opening = line.find("{{", opening + 2)
        while closing >= 0 and is_code(closing):
            closing = line.find("}}", closing + 2)
        if opening < 0 and closing < 0:
            break
        if opening < 0 or 0 <= closing < opening:
            problems.append(f'a closing "}}}}" without its opening "{{{{" (column {closing + 1}); '
                            f"expected {{{{ chart ID }}}} or {{{{ value … }}}}. Add the opening "
                            f"braces, or delete the stray ones.")
            pos = closing + 2
            continue
        inner_open = line.find("{{", opening + 2)
        while inner_open >= 0 and is_code(inner_open):
            inner_open = line.find("{{", inner_open + 2)
        if closing < 0 or (0 <= inner_open < closing):
            shown = line[opening:(inner_open if inner_open >= 0 else len(line))].rstrip()
            if len(shown) > 50:
                shown = shown[:47] + "…"
            problems.append(f'the shortcode "{shown}" is not closed; expected "}}}}" at its end, '
                            f"on the same line. Add }}}} after its last word.")
            pos = inner_open if inner_open >= 0 else len(line)
            continue
        body = line[opening + 2:closing]
        named = NAME.fullmatch(body)
        if not named:
            problems.append(f'"{line[opening:closing + 2]}" has no shortcode name; expected '
                            f"{{{{ chart ID }}}} or {{{{ value … }}}}. Write the name after the "
                            f"opening braces, or delete them.")
        else:
            found.append(Found(opening, closing + 2, named.group(1), named.group(2).strip()))
        pos = closing + 2
    return found, problems


def scan(text: str, first_line: int = 1):
    """Every shortcode of a Markdown text outside fenced code: (line, Found), and the
    problems as (line, message)."""
    found, problems, in_fence = [], [], None
    for number, line in enumerate(text.splitlines(), start=first_line):
        fence = FENCE.match(line)
        if fence:
            marker = fence.group(1)
            in_fence = None if in_fence == marker else (in_fence or marker)
            continue
        if in_fence or ("{{" not in line and "}}" not in line):
            continue
        codes, wrong = parse_line(line)
        found += [(number, code) for code in codes]
        problems += [(number, message) for message in wrong]
    return found, problems


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
            if in_fence or ("{{" not in line and "}}" not in line):
                out.append(line)
                continue
            lineno = index + 1 + ext.line_offset if ext.line_offset >= 0 else 0
            out.extend(self._expand(line, lineno, lang, errors))
        if errors:
            raise ShortcodeError("\n".join(errors))
        return out

    def _expand(self, line: str, lineno: int, lang: str, errors: list[str]) -> list[str]:
        where = f"{self.ext.display}:{lineno}" if lineno else f"{self.ext.display} (metadata)"
        codes, problems = parse_line(line)
        errors.extend(f"{where}: {message}" for message in problems)
        block = (len(codes) == 1 and not problems and not line[:codes[0].start].strip()
                 and not line[codes[0].end:].strip())
        pieces, pos = [], 0
        for code in codes:
            pieces.append(line[pos:code.start])
            pos = code.end
            handlers = self.ext.desk.handlers
            handler = handlers.get(code.name)
            if handler is None:
                known = ", ".join(sorted(handlers)) or "none"
                errors.append(
                    f"{where}: unknown shortcode {{{{ {code.name} }}}}; expected one of: {known}. "
                    f"Check the spelling (see EDITING.md)."
                )
                continue
            ctx = ShortcodeContext(
                path=self.ext.display, line=lineno, lang=lang,
                settings=self.ext.settings, block=block, desk=self.ext.desk,
            )
            try:
                html = handler(code.args, ctx)
            except DeskError as exc:  # a shortcode's own error, or the data's (an unknown dataset)
                errors.append(f"{where}: {exc}")
                continue
            if self.ext.recorder is not None:  # what the answer depends on (datadesk/articles.py)
                self.ext.recorder.shortcode(code.name, code.args, ctx)
                # a value's or chart's HTML: a placeholder, filled when the file is read
                html = self.ext.recorder.hold(code.name, code.args, ctx, html, self.md)
            pieces.append(sanitise.protect(self.md, html))  # ours: the sanitiser leaves it alone
        pieces.append(line[pos:])
        expanded = "".join(pieces)
        # A block shortcode becomes its own paragraph-level chunk of raw HTML.
        return ["", expanded, ""] if block else [expanded]


class ShortcodeExtension(Extension):
    def __init__(self, path: str, settings: dict, line_offset: int = 0):
        super().__init__()
        self.path = path
        self.settings = settings
        self.desk = desk_of(settings)
        self.display = display_path(path, settings)
        self.line_offset = line_offset
        self.lang: str | None = None
        self.recorder = None  # an articles.Recorder while the reader converts

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API)
        # After "normalize_whitespace" (30), which deletes the stash's placeholder markers,
        # and before "meta" (27): lines still match the file.
        md.preprocessors.register(ShortcodePreprocessor(md, self), "shortcodes", 28)
        sanitise.extend(md)  # the editor's HTML through the allow-list (plugins/sanitise)


class ShortcodeMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader with shortcodes expanded, knowing file and line.

    Each file is converted once per build and kept (datadesk/articles.py): the other
    language run of the build, and the next build while nothing the file shows changed,
    take the kept HTML and process its front matter again with their own settings."""

    def read(self, source_path):
        self._source_path = source_path
        desk = desk_of(self.settings)
        cache = articles.articles_of(desk)
        display = cache.display(source_path, self.settings)
        with pelican_open(source_path) as text:
            pass
        refused = placeholders.refuse(text, display)
        if refused:
            raise ShortcodeError("\n".join(refused))
        key = cache.key(self.settings, display, text)
        entry = cache.lookup(self.settings, key, display)
        if entry is not None:
            cache.replay(entry)
            if key in cache.ahead:  # converted ahead (convert_ahead, counted there), read once now
                cache.ahead.discard(key)
            else:
                desk.count("articles", "cached")
            meta = dict(entry["meta"]) if entry["meta"] is not None else None  # [name, values] pairs: in order
            slots = entry["slots"]
            fields = {ident: slot for ident, slot in slots.items() if not slot["line"]}
            try:
                answers = self._answer(display, fields)
            except ShortcodeError:
                self._answer(display, slots)  # what a conversion says: the body's errors first
                raise
            _, formatted = self._fill(display, fields, answers, "", entry["formatted"])
            metadata = self._parse_metadata(meta or {}, formatted)
            if self._body_unseen(metadata):
                # Its placeholders stay: a page or feed of this run that showed the body would
                # fail the build (links.check_written), never publish it unfilled.
                desk.count("bodies of other language sites", "not filled")
                return entry["content"], metadata
            body = {ident: slot for ident, slot in slots.items() if slot["line"]}
            content, _ = self._fill(display, body, self._answer(display, body), entry["content"], {})
            return content, metadata
        recorder = articles.Recorder(self, desk)
        desk.count("articles", "converted")
        desk.converted.add(source_path)
        with articles.warnings_seen() as seen:
            held, meta, held_fields = self._convert(source_path, text, recorder)
            content, formatted = self._fill(display, recorder.slots, recorder.answers, held, held_fields)
            metadata = self._parse_metadata(meta or {}, formatted)
        if seen.count:
            cache.unkept.add(key)  # said again while the file is wrong: never served from a cache
        else:
            cache.keep(self.settings, key, display, recorder,
                       {"content": held, "formatted": held_fields, "slots": recorder.slots,
                        "meta": list(meta.items()) if meta is not None else None})
        return content, metadata

    def _body_unseen(self, metadata: dict) -> bool:
        """Whether no page of this run can show the body of the file read: the main site's run
        reading a file in the language of a subsite (i18n_subsites: its articles and pages
        are that subsite's; the main site only links them as translations, by their address,
        title and summary), which has a ``Summary:`` (else its summary is cut from the body).
        Its charts and values are then not filled here (their language's charts not even
        prepared): its own site's run fills them when it reads the file."""
        from .desk import is_main_site

        lang = metadata.get("lang")
        settings = self.settings
        return (bool(lang) and lang != settings.get("DEFAULT_LANG")
                and lang in (settings.get("I18N_SUBSITES") or {}) and is_main_site(settings)
                and settings.get("I18N_UNTRANSLATED_ARTICLES") == "remove"
                and settings.get("I18N_UNTRANSLATED_PAGES") == "remove"
                and "summary" in metadata)

    def body_ahead(self, source_path) -> str | None:
        """The body ``read`` will return for ``source_path`` (its placeholders filled), made
        now, before the files are read: for the search plugin's guess of an edited article's
        page (plugins/search). Its conversion is kept as ``convert_ahead`` keeps it, so ``read``
        finds it and counts it as any conversion (the report is the same); one converted
        ahead already (``convert_ahead``) is filled as it is. None when it is kept from an
        earlier build, or when converting it says anything (then ``read`` converts it again
        and says it), or filling it fails (``read`` fails the same way, and says it). Only the
        conversion is done with what it says held back: the site's charts are made first,
        and the figures and values filled, as the file's read would, so anything they say is
        said as it would be then (once: their answers are memos of the build)."""
        from .charts.charts import site_charts

        desk = desk_of(self.settings)
        cache = articles.articles_of(desk)
        try:
            if desk.handlers.get("chart") is not None:
                site_charts(self.settings, self.settings.get("DEFAULT_LANG"), desk)
            display = cache.display(source_path, self.settings)
            with pelican_open(source_path) as text:
                pass
            key = cache.key(self.settings, display, text)
            if key not in cache.ahead:  # (else converted ahead already, while the workers prepare charts)
                with articles.held_back() as seen:
                    if not self.convert_ahead(source_path, seen, counted=False):
                        return None
            entry = cache.lookup(self.settings, key, display)
            if entry is None:
                return None
            slots = {ident: slot for ident, slot in entry["slots"].items() if slot["line"]}
            content, _ = self._fill(display, slots, self._answer(display, slots), entry["content"], {})
        except Exception:  # noqa: BLE001 (read does it again, and fails with its file and line)
            return None
        return content

    def convert_ahead(self, source_path, seen, counted: bool = True) -> bool:
        """Convert the file and keep the result as ``read`` does, without filling its
        placeholders (so without waiting for its charts): True when it was kept, and
        ``read`` then finds it. Anything that would be said (an error, a warning: ``seen``,
        from ``articles.held_back()``, counts them) makes it void: the file is converted
        again when it is read, and says it then. See ``convert_ahead`` below."""
        desk = desk_of(self.settings)
        cache = articles.articles_of(desk)
        display = cache.display(source_path, self.settings)
        with pelican_open(source_path) as text:
            pass
        if placeholders.refuse(text, display):
            return False
        key = cache.key(self.settings, display, text)
        if key in cache.unkept or key in cache.ahead or desk.cache.articles.get(display, (None,))[0] == key \
                or cache.store(self.settings).has(key):
            return False  # kept already: read checks it
        self._source_path = source_path
        recorder = articles.Recorder(self, desk)
        said = seen.count
        held, meta, held_fields = self._convert(source_path, text, recorder)
        if seen.count != said or not recorder.keepable:
            return False
        cache.keep(self.settings, key, display, recorder,
                   {"content": held, "formatted": held_fields, "slots": recorder.slots,
                    "meta": list(meta.items()) if meta is not None else None})
        cache.ahead.add(key)
        desk.converted.add(source_path)
        desk.count("articles", "converted")
        if counted:
            desk.count("articles", "converted ahead")
        return True

    def _answer(self, display: str, slots: dict) -> dict[str, str]:
        """Each placeholder's HTML, from its shortcode's handler (the values' and figures'
        memos and stores make this cheap while their datasets are unchanged). Errors as the
        conversion says them: the body's first, each with its file and line."""
        desk = desk_of(self.settings)
        # The same shortcode gives the same HTML everywhere in one run (the values' HTML
        # depends on its arguments, language and place; a figure on its chart, heading and
        # language): asked once per build and language run, not for every article.
        memo = articles.articles_of(desk).answers
        answers: dict[str, str] = {}
        for in_body in (True, False):
            errors = []
            for ident, slot in slots.items():
                if bool(slot["line"]) != in_body:
                    continue
                same = (id(self.settings), slot["name"], slot["args"], slot["lang"], bool(slot["line"]),
                        slot["block"], slot.get("heading"))
                if same in memo:
                    answers[ident] = memo[same]
                    continue
                where = f"{display}:{slot['line']}" if slot["line"] else f"{display} (metadata)"
                handler = desk.handlers.get(slot["name"])
                if handler is None:
                    known = ", ".join(sorted(desk.handlers)) or "none"
                    errors.append(f"{where}: unknown shortcode {{{{ {slot['name']} }}}}; expected one of: "
                                  f"{known}. Check the spelling (see EDITING.md).")
                    continue
                ctx = ShortcodeContext(path=display, line=slot["line"], lang=slot["lang"],
                                       settings=self.settings, block=slot["block"], desk=desk,
                                       heading=slot.get("heading"))
                try:
                    answers[ident] = memo[same] = str(handler(slot["args"], ctx))
                except DeskError as exc:
                    errors.append(f"{where}: {exc}")
            if errors:
                raise ShortcodeError("\n".join(errors))
        return answers

    @staticmethod
    def _fill(display: str, slots: dict, answers: dict, content: str, formatted: dict):
        """The body and the formatted fields with their placeholders filled: each one that the
        conversion wrote, exactly once, and no other (placeholders.py)."""
        seen: set[str] = set()
        try:
            content = placeholders.fill(content, answers, seen)
            formatted = {name: placeholders.fill(html, answers, seen) for name, html in formatted.items()}
        except KeyError as exc:
            raise ShortcodeError(f"{display}: a placeholder ({exc.args[0]}) that this file's conversion did "
                                 f"not write, or wrote once, was found in its HTML; expected only the charts "
                                 f"and values the file places. Convert it again (delete .cache/articles).")
        if seen != set(slots):
            missing = ", ".join(sorted(set(slots) - seen))
            raise ShortcodeError(f"{display}: the placeholders {missing} of its charts or values are missing "
                                 f"from its HTML; expected each once. Convert it again (delete .cache/articles).")
        return content, formatted

    def _convert(self, source_path, text: str, recorder):
        """(body HTML, the front matter as Markdown's meta extension read it, the HTML of each
        formatted field): Pelican's conversion, with the shortcodes' dependencies recorded."""
        ext = ShortcodeExtension(source_path, self.settings)
        ext.recorder = recorder
        config = dict(self.settings["MARKDOWN"])
        config["extensions"] = list(config.get("extensions", [])) + [ext]
        self._md = Markdown(**config)
        content = recorder.unwrap(self._md.convert(text))
        if not hasattr(self._md, "Meta"):
            return content, None, {}
        meta = {name: list(values) for name, values in self._md.Meta.items()}
        # Formatted fields (Summary) are converted again, as Pelican does (its
        # MarkdownReader._parse_metadata): their lines are not the file's.
        ext.line_offset = -1
        self._md.preprocessors.deregister("meta")
        formatted = {}
        for name, values in meta.items():
            if name.lower() in self.settings["FORMATTED_FIELDS"]:
                self._md.reset()
                formatted[name.lower()] = recorder.unwrap(self._md.convert("\n".join(values)))
        return content, meta, formatted

    def _date(self, name: str, value):
        """Pelican's ``date``/``modified`` processing (dateutil, settings-free: its answer, an
        immutable datetime, depends on the text alone), once per text and build: both
        language runs read every file. Another processor (a plugin's) is asked each time."""
        processor = METADATA_PROCESSORS.get(name)
        if processor is not _DATE_PROCESSORS.get(name) or not isinstance(value, str):
            return self.process_metadata(name, value)
        memo = articles.articles_of(desk_of(self.settings)).dates
        if (name, value) not in memo:
            memo[name, value] = self.process_metadata(name, value)
        return memo[name, value]

    def _parse_metadata(self, meta, formatted=None):
        """Pelican's MarkdownReader._parse_metadata with the formatted fields already
        converted: the metadata objects are made with this run's settings."""
        if formatted is None:  # Pelican's own call (none in this reader)
            return super()._parse_metadata(meta)
        output = {}
        for name, value in meta.items():
            name = name.lower()
            if name in self.settings["FORMATTED_FIELDS"]:
                output[name] = self.process_metadata(name, formatted[name])
            elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
                if len(value) > 1:
                    pelican_readers_logger.warning(
                        "Duplicate definition of `%s` for %s. Using first one.",
                        name, self._source_path)
                output[name] = self._date(name, value[0]) if name in DATES else self.process_metadata(name, value[0])
            elif len(value) > 1:
                output[name] = self.process_metadata(name, value)
            else:
                output[name] = self.process_metadata(name, value[0])
        return output


def convert_ahead(generator) -> None:
    """``article_generator_init`` of the main site: when its charts are to be prepared (a
    cold build, a chart or its data edited), they are sent to the worker processes now
    (``SiteCharts.send_ahead``) and every Markdown file of the articles and pages that no
    store holds is converted and kept meanwhile (``ShortcodeMarkdownReader.convert_ahead``),
    instead of waiting for the charts at the first one an article places: the reader then
    finds each conversion kept, and fills its placeholders once the charts are there. Only
    what could be kept is kept: a file whose conversion failed or said anything is converted
    again when it is read, and says it then. The report counts ``articles: converted
    ahead``; nothing else changes, in the pages or the report. Not in a process that keeps
    conversions from its earlier builds (the preview): it has few files to convert."""
    import os

    from .charts.charts import SiteCharts
    from .desk import is_main_site

    settings = generator.settings
    if not is_main_site(settings):
        return
    desk = desk_of(settings)
    lang = settings.get("DEFAULT_LANG")
    if desk.handlers.get("chart") is None or lang in desk.charts or desk.cache.articles:
        return  # (a process that built before, the preview, keeps its conversions: few to convert)
    try:
        if not SiteCharts(settings, lang, desk, prepare=False).send_ahead():
            return  # nothing for the workers to do: no time to fill
    except DeskError:  # the data does not validate: the articles say so when they are read
        return
    readers = generator.readers.readers
    found = []
    for paths, excludes in (("ARTICLE_PATHS", "ARTICLE_EXCLUDES"), ("PAGE_PATHS", "PAGE_EXCLUDES")):
        for name in generator.get_files(settings.get(paths) or [], exclude=settings.get(excludes) or []):
            reader = readers.get(os.path.splitext(name)[1][1:])
            if isinstance(reader, ShortcodeMarkdownReader):
                found.append((reader, os.path.abspath(os.path.join(generator.path, name))))
    desk.ahead = True
    try:
        with articles.held_back() as seen:
            for reader, path in found:
                if sanitise.refusal(path, settings):
                    continue  # the reader refuses it (outside content/, too large)
                try:
                    reader.convert_ahead(path, seen)
                except Exception:  # noqa: BLE001 (converted again when read: it fails there, with its message)
                    continue
    finally:
        desk.ahead = False


# Braces left in a written page: an unfinished shortcode, a template slip, or metadata that
# held one. Code examples (<code>, <pre>) and scripts may show braces on purpose.
LEFTOVER = re.compile(r"\{\{|\}\}")
HIDDEN = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1\s*>", re.S | re.I)


def leftovers(html: str) -> list[tuple[int, str]]:
    """(line, excerpt) of each ``{{`` or ``}}`` a reader would see in this HTML."""
    blank = lambda m: "\n" * m.group(0).count("\n")  # noqa: E731 (keeps line numbers)
    # Text only: attributes (a meta description made from the text) repeat what the text
    # shows, and would flag a code example the text rightly shows in <code>.
    visible = re.sub(r"<[^>]*>", blank, HIDDEN.sub(blank, html))
    found = []
    for match in LEFTOVER.finditer(visible):
        line = visible.count("\n", 0, match.start()) + 1
        start = visible.rfind("\n", 0, match.start()) + 1
        end = visible.find("\n", match.end())
        excerpt = visible[start:end if end >= 0 else None].strip()
        found.append((line, excerpt[:80]))
    return found


def _source_line(path: str, fragment: str) -> int | None:
    """The line of the source file that holds the same braces, outside code."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError:
        return None
    in_fence = None
    for number, line in enumerate(text.splitlines(), start=1):
        fence = FENCE.match(line)
        if fence:
            in_fence = None if in_fence == fence.group(1) else (in_fence or fence.group(1))
            continue
        bare = CODE_SPAN.sub("", line)
        if not in_fence and fragment in bare:
            return number
    return None


def check_written(path: str, context: dict) -> None:
    """Nothing unfinished is published: the build fails on braces left in a page."""
    if not str(path).endswith(".html") or is_kept(context, path):
        return  # a page kept from the previous output passed this check when it was written
    try:
        html = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    problems = leftovers(html)
    if not problems:
        return
    settings = context if isinstance(context, dict) else {}
    out_root = Path(settings.get("OUTPUT_PATH") or Path(path).parent)
    try:
        shown = Path(path).relative_to(out_root).as_posix()
    except ValueError:
        shown = Path(path).name
    content = context.get("article") or context.get("page")
    for line, excerpt in problems:
        fragment = "{{" if "{{" in excerpt else "}}"
        where = f"{shown}:{line}"
        if content is not None and getattr(content, "source_path", None):
            src_line = _source_line(content.source_path, fragment)
            display = display_path(content.source_path, settings)
            where = f"{display}:{src_line}" if src_line else f"{display} (page {shown}:{line})"
        logger.error("%s: \"%s\" would be published as it is, braces and all; expected every "
                     "shortcode to be complete ({{ chart ID }} or {{ value … }}, closed on its "
                     "line) and no braces in the header's fields. Finish or remove it.",
                     where, excerpt)


def add_reader(readers) -> None:
    readers.reader_classes["md"] = ShortcodeMarkdownReader
    for ext in ShortcodeMarkdownReader.file_extensions:
        readers.reader_classes[ext] = ShortcodeMarkdownReader
