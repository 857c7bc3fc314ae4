"""Did-you-mean hints, with a budget: a file with 100,000 mistakes must not cost 100,000 fuzzy searches.

Each hint compares the word with every option; once HINT_BUDGET names have been compared for one file (the budget
is reset when a file is read or a workflow validated), further problems come without a hint. Problems are shown
100 at most (engine.io.load.MAX_PROBLEMS), so the hints that are cut are ones nobody would see.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable

from engine.io.problems import Fix

HINT_BUDGET = 200_000  # names compared for did-you-mean hints per file (≈ 0.3 s)
_state = threading.local()


def reset_hints() -> None:
    """Give the next file its own budget."""
    _state.left = HINT_BUDGET


def closest(word: str, options: Iterable[object]) -> str | None:
    """The option closest to ``word`` (a likely typo of it), or None; None as well once the budget is spent."""
    names = [str(o) for o in options]
    left = getattr(_state, "left", HINT_BUDGET)
    if left < len(names):
        return None
    _state.left = left - len(names)
    found = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: object, options: Iterable[object]) -> str:
    """`` — did you mean 'x'?`` for the closest option, or nothing."""
    return hint_text(closest(str(word), options))


def hint_text(found: str | None) -> str:
    """`` — did you mean 'x'?`` for a found option, or nothing."""
    return f" — did you mean '{found}'?" if found else ""


def rename_fix(path: tuple, found: str | None, taken: Iterable[object] = ()) -> Fix | None:
    """The fix renaming the key at ``path`` to ``found`` ("Rename to message"); none when that name is written
    already (renaming would lose one of the two values)."""
    if not found or found in {str(t) for t in taken}:
        return None
    return Fix(f"Rename to {found}", tuple(path), found, "rename")


def value_fix(path: tuple, found: str | None) -> Fix | None:
    """The fix replacing the value at ``path`` with ``found`` ("Change to http.request")."""
    return Fix(f"Change to {found}", tuple(path), found) if found else None
