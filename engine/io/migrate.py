"""Format versions and the migrations between them, applied to the raw mapping before parsing.

Format 0 was the pre-release layout: ``steps`` as a list of ``{id, type, params, next}``.
Format 1 (current) keys steps by id, names the block with ``do`` and its parameters with ``with``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.io.problems import Problem
from engine.io.yamlload import MarkedDict
from engine.model.workflow import FORMAT_VERSION

Migration = Callable[[dict[str, Any], list[Problem]], dict[str, Any]]


def _v0_to_v1(doc: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    steps = doc.get("steps")
    if isinstance(steps, list):
        keyed = MarkedDict()
        keyed.mark = getattr(steps, "mark", (1, 1))
        for i, item in enumerate(steps):
            if not isinstance(item, dict):
                continue
            step = MarkedDict()
            step.mark = getattr(item, "mark", (1, 1))
            for key, value in item.items():
                if key == "id":
                    continue
                new_key = {"type": "do", "params": "with"}.get(key, key)
                step[new_key] = value
                step.key_marks[new_key] = getattr(item, "key_marks", {}).get(key, step.mark)
                step.value_marks[new_key] = getattr(item, "value_marks", {}).get(key, step.mark)
            sid = str(item.get("id", f"step_{i + 1}"))
            if sid in keyed:  # as a duplicate key in format 1: the second is refused, never silently the winner
                where = getattr(item, "value_marks", {}).get("id", step.mark)
                first = keyed.key_marks[sid][0]
                problems.append(Problem(f"duplicate key '{sid}' (first written at line {first})", *where))
                continue
            keyed[sid] = step
            keyed.key_marks[sid] = step.mark
            keyed.value_marks[sid] = step.mark
        doc["steps"] = keyed
    doc["flowdeck"] = 1
    return doc


# MIGRATIONS[n] turns format n into format n + 1.
MIGRATIONS: dict[int, Migration] = {0: _v0_to_v1}


def migrate(doc: dict[str, Any], version: int, problems: list[Problem] | None = None) -> dict[str, Any]:
    """Bring ``doc`` from ``version`` up to the current format; what cannot be carried over goes to ``problems``."""
    found = problems if problems is not None else []
    while version < FORMAT_VERSION:
        doc = MIGRATIONS[version](doc, found)
        version += 1
    return doc
