"""Invisible bidirectional controls in the front matter.

U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates) change the order in
which text is displayed without changing what it says: a title could read backwards, or a
slug or tag look like another ("Trojan Source"). Nothing an editor types by hand needs them:
the site marks titles and names with ``dir="auto"``, so Arabic, Hebrew or mixed text already
displays in the right direction. So they are refused, each with its file, line and column.
"""

from __future__ import annotations

import unicodedata

CONTROLS = {chr(c) for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))}


def problems(header: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(line, message) for every bidirectional control in the front matter's lines
    (``FrontMatter.header``: the header as the editor sees it)."""
    found = []
    for number, line in header:
        for column, ch in enumerate(line, start=1):
            if ch in CONTROLS:
                field = line.split(":", 1)[0].strip() if ":" in line else "this line"
                found.append((number, f"{field} contains the invisible character U+{ord(ch):04X} "
                                      f"({unicodedata.name(ch)}) at column {column}: it changes the "
                                      f"order in which the text is displayed, so what readers see is "
                                      f"not what is written. Delete it (retype the line if you cannot "
                                      f"see it); Arabic or Hebrew text needs no such character, the "
                                      f"site sets the direction itself."))
    return found
