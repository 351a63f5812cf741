"""PyYAML's syntax errors ("mapping values are not allowed here") said in plain words, with
the line as the editor should write it.

Editors meet YAML in chart files and the corrections log. The mistakes they make are few
and known: a French « : » or an apostrophe-quote in a text, a text that starts with a
character YAML reserves, a quote never closed, a tab, a shifted indentation. Each gets
what is wrong and the corrected line; the advice to quote is also given in French, the
language most of the newsroom writes in.
"""

from __future__ import annotations

import re

KEY_VALUE = re.compile(r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[^\s:#][^:#]*?):\s+(?P<value>.+?)\s*$")
RESERVED_START = "[]{}&*!|>%@`#,?"
IN_FRENCH = "en français : mettez le texte entre guillemets droits"


def quoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _line(source: str, index: int) -> str:
    lines = source.splitlines()
    return lines[index] if 0 <= index < len(lines) else ""


def _quote_fix(line: str) -> str | None:
    match = KEY_VALUE.match(line)
    if not match:
        return None
    fixed = f"{match.group('indent')}{match.group('key')}: {quoted(match.group('value'))}".strip()
    return (f"Put the whole text in double quotes: `{fixed}` ({IN_FRENCH}, "
            f"\"…\").")


def explain(exc, source: str) -> tuple[int | None, str, str] | None:
    """(0-based line, what, fix) for a syntax error an editor makes, or None (the caller then
    gives its general advice)."""
    problem = (exc.problem or exc.context or "").strip()
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    index = mark.line
    line = _line(source, index)
    if "mapping values are not allowed" in problem:
        match = KEY_VALUE.match(line)
        fix = _quote_fix(line)
        if match and fix and re.search(r":(\s|$)", match.group("value")):
            return index, ("this text contains a colon followed by a space (« : »), which YAML reads "
                           "as the start of another key"), fix
    if "found character '\\t'" in problem or "\t" in line[: len(line) - len(line.lstrip())]:
        return index, "this line is indented with a tab", "Indent with spaces only (two per level)."
    if "cannot start any token" in problem or "found undefined tag" in problem:
        fix = _quote_fix(line)
        if fix:
            char = re.search(r"character '(.)'", problem)
            shown = f"« {char.group(1)} »" if char else "this character"
            return index, f"the text starts with {shown}, which YAML keeps for itself", fix
    if "while scanning a quoted scalar" in (exc.context or ""):
        start = exc.context_mark.line if exc.context_mark else index
        return start, ("a quote opened on this line is never closed"), (
            "Close it at the end of the text, or, if the text itself contains a quote, put the whole "
            f"text in the other kind of quotes (\"l'hiver\" or 'le \"front\"').")
    if "expected <block end>" in problem or "expected <block mapping start>" in problem or \
            "did not find expected key" in problem:
        if "'<scalar>'" in problem and re.search(r":\s+[\"'][^\"']*[\"']\s*\S", line):
            fix = _quote_fix(line)
            if fix:
                return index, "the text starts with a quotation but goes on after it", fix
        return index, "this line is not indented like the lines around it", (
            "Line it up with the other keys at its level (two spaces per level, no tabs); a text that "
            f"runs onto several lines goes in double quotes ({IN_FRENCH}).")
    if "mapping values are not allowed" in problem or "expected ',' or ']'" in problem \
            or "expected ',' or '}'" in problem:
        if "expected ','" in problem:
            start = exc.context_mark.line if exc.context_mark else index
            closer = "]" if "]" in problem else "}"
            return start, f"a {'list' if closer == ']' else 'mapping'} opened on this line is never closed", (
                f"Add {closer} at its end (or put a text that contains a comma in double quotes).")
        return index, "this line is indented more than the line above, so YAML reads it as part of it", (
            "Line it up with the other keys at its level (two spaces per level, no tabs).")
    if "found unexpected end of stream" in problem:
        return index, "the file ends in the middle of a text or a list", (
            "Close the quote or the bracket that was opened above.")
    return None
