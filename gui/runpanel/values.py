"""Showing values in the run panel: durations in words, pretty JSON/YAML, truncation of large outputs."""

from __future__ import annotations

import json
from typing import Any

import yaml

from gui.inspector.values import plain

VIEW_LIMIT = 20_000  # characters shown of one value; Copy copies all of it


def duration_text(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s"


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit:,} more characters)"


def pretty(value: Any, style: str = "json") -> str:
    """The whole value as indented JSON (or YAML); anything JSON cannot hold is written as text."""
    if value is None:
        return ""
    data = plain(value)
    if style == "yaml":
        try:
            return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        except yaml.YAMLError:
            pass
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def for_view(text: str, *, tail: bool = False) -> tuple[str, bool]:
    """The text to show (its start, or with ``tail`` its end) and whether it was cut."""
    if len(text) <= VIEW_LIMIT:
        return text, False
    cut = f"… {len(text) - VIEW_LIMIT:,} more characters (Copy copies everything)"
    if tail:
        return cut + "\n" + text[-VIEW_LIMIT:], True
    return text[:VIEW_LIMIT] + "\n" + cut, True
