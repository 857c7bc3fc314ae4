"""Ranking blocks against what the person typed in the palette's search box (no Qt: testable on its own).

Exact names beat prefixes, prefixes beat words that merely start the same way, and those beat a match somewhere
in the help text: "if" finds the ``if`` block first, not "Check for change" (whose help says "if").
"""

from __future__ import annotations

import re

from engine.registry import BlockType

EXACT, PREFIX, WORD, INSIDE, HELP = range(5)  # lower ranks first


def _names(block: BlockType) -> list[str]:
    """The names a person may call a block by: its type, the type's last part, its title."""
    return [block.type.lower(), block.type.rsplit(".", 1)[-1].lower(), block.title.lower()]


def rank(block: BlockType, query: str) -> int | None:
    """How well ``block`` matches ``query`` (lower is better), or None when some typed word is not found at all."""
    text = " ".join(query.lower().split())
    if not text:
        return EXACT
    names = _names(block)
    if text in names:
        return EXACT
    if any(n.startswith(text) for n in names):
        return PREFIX
    words = text.split()
    name_words = [w for n in names for w in re.split(r"[\s._\-/]+", n) if w]
    if all(any(nw.startswith(w) for nw in name_words) for w in words):
        return WORD
    if all(any(w in n for n in names) for w in words):
        return INSIDE
    hay = f"{' '.join(names)} {block.category} {block.help}".lower()
    if all(w in hay for w in words):
        return HELP
    return None


def ranked(blocks: list[BlockType], query: str) -> list[tuple[int, BlockType]]:
    """The matching blocks, best first; ties keep the given (declaration) order."""
    found = [(r, i, b) for i, b in enumerate(blocks) if (r := rank(b, query)) is not None]
    return [(r, b) for r, _i, b in sorted(found, key=lambda t: (t[0], t[1]))]
