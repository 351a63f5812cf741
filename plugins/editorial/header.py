"""What the article header prints as it is: quotes, markup, and the YAML habits that
do not apply to it.

The header is Pelican's ``Field: value`` lines, not YAML: a value is everything after the
colon, so quotes are printed in the headline, ``[a, b]`` is a tag with brackets, and a
line starting with ``-`` or ``#`` ends the header. Chart files are YAML; editors write
both, so each difference gets its own message saying what to write instead.
"""

from __future__ import annotations

import re

# Fields shown as plain text (Summary is Markdown, so markup is welcome there).
PLAIN = ("title", "category", "tags", "authors", "author")
LISTS = ("tags", "authors")
QUOTES = ('"', "'")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
ENTITY = re.compile(r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
MARKDOWN = [
    (re.compile(r"\*\*[^*]+\*\*|__[^_]+__"), "bold Markdown (**…**)", "the asterisks"),
    (re.compile(r"(?<![\w*])\*[^*\s][^*]*\*(?![\w*])"), "italic Markdown (*…*)", "the asterisks"),
    (re.compile(r"`[^`]+`"), "code Markdown (`…`)", "the backticks"),
    (re.compile(r"\[[^\]]+\]\([^)]*\)"), "a Markdown link ([…](…))", "the link: keep its words"),
]
YAML_BLOCK = re.compile(r"^[|>][+-]?$")
YAML_LIST = re.compile(r"^\[.*\]$")


def unquoted(text: str) -> str | None:
    """The text without the quotes wrapped around it, or None if it is not wrapped.
    ``"Novembre"`` and ``"Novembre`` (never closed) are wrapped; ``"Dirty bomb": a claim``
    is a quotation inside the value, which is fine."""
    text = text.strip()
    for quote in QUOTES:
        if len(text) >= 2 and text[0] == quote and text[-1] == quote:
            return text[1:-1].strip()
        if text[:1] == quote and quote not in text[1:]:
            return text[1:].strip()
        if text[-1:] == quote and quote not in text[:-1] and quote == '"':
            return text[:-1].strip()
    return None


def _items(key: str, value: str) -> list[str]:
    return [v.strip() for v in value.split(",")] if key in LISTS else [value]


def printed_problems(fields: dict[str, tuple[str, int, str]]) -> tuple[list[tuple[int, str]], dict]:
    """(line, message) for each value that would be printed with stray characters, and
    the fields as the editor meant them (quotes removed), so the other checks judge the
    intended value instead of repeating the same mistake."""
    problems, meant = [], {}
    for key, (value, line, typed) in fields.items():
        if YAML_BLOCK.match(value):
            problems.append((line, f'{typed} is "{value}", the start of a YAML block; this header is '
                                   f"not YAML, so the sign would be printed. Write the text on the same "
                                   f"line: `{typed}: …` (a long value may continue on the next lines, "
                                   f"indented by four spaces)."))
            continue
        if YAML_LIST.match(value) and key in LISTS:
            inner = ", ".join(unquoted(v) or v.strip() for v in value[1:-1].split(","))
            problems.append((line, f"{typed} is written as a YAML list ({value}); this header is not "
                                   f"YAML, so the brackets would be printed. Separate the items with "
                                   f"commas only: `{typed}: {inner}`."))
            meant[key] = inner
            continue
        items = _items(key, value)
        bare = [unquoted(item) for item in items]
        if any(b is not None for b in bare):
            fixed = ", ".join(b if b is not None else item for b, item in zip(bare, items))
            what = {"title": "the headline"}.get(key, "the page")
            problems.append((line, f"{typed} is wrapped in quotes ({value}); this header is not YAML, "
                                   f"so the quotes would be printed in {what}. Remove them: "
                                   f"`{typed}: {fixed}`."))
            meant[key] = fixed
            continue
        if key not in PLAIN:
            continue
        tag = HTML_TAG.search(value)
        if tag:
            problems.append((line, f'{typed} contains HTML ("{tag.group(0)}"), which would be shown '
                                   f"as text; expected plain words (only the text and Summary are "
                                   f"formatted). Remove the tag."))
            continue
        entity = ENTITY.search(value)
        if entity:
            problems.append((line, f'{typed} contains "{entity.group(0)}", which would be shown as '
                                   f"it is; expected plain words. Type the character itself."))
            continue
        for pattern, what, remove in MARKDOWN:
            found = pattern.search(value)
            if found:
                problems.append((line, f'{typed} contains {what}: "{found.group(0)}", which would be '
                                       f"printed as it is (only the text and Summary are formatted); "
                                       f"expected plain words. Remove {remove}."))
                break
    return problems, meant


def header_breaks(lines: list[str], start: int) -> tuple[int, str] | None:
    """A line that ends the header early because it is written the YAML way (or with the
    French space before the colon): (line number, message)."""
    for number, line in enumerate(lines[start:], start=start + 1):
        stripped = line.strip()
        if not stripped or re.match(r"^(-{3}|\.{3})\s*$", line):
            return None
        spaced = re.match(r"^([A-Za-z][\w-]*)\s+:\s*(.*)", line)
        if spaced:
            return number, (f'"{line.strip()}" has a space before the colon, so the header ends '
                            f"here and the rest is printed as text; write `{spaced.group(1)}: "
                            f"{spaced.group(2)}`, with the colon right after the field name.")
        if stripped.startswith("- ") and not line.startswith("    "):
            return number, (f'"{stripped}" is a YAML list item; this header is not YAML, so the '
                            f"header ends here and the rest is printed as text. Put the items on "
                            f"the field's own line, separated by commas (`Tags: a, b`).")
        if stripped.startswith("#"):
            return number, (f'"{stripped[:40]}" is a comment line; the header has no comments, so it '
                            f"ends here and the rest is printed as text. Delete the line.")
        if not re.match(r"^[ ]{0,3}[^\s:]+:", line) and not line.startswith("    "):
            return None
    return None
