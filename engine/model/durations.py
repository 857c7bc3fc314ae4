"""Durations as people write them: ``30s``, ``5m``, ``1h30m``, ``2d``, ``250ms`` or a plain number of seconds."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)\s*)+$", re.IGNORECASE)


def parse_duration(value: object) -> float:
    """Return the duration in seconds, or raise ValueError with a message a person understands."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like 30s, 5m or 1h, got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration cannot be negative, got {value}")
        return float(value)
    if not isinstance(value, str) or not _WHOLE.match(value):
        raise ValueError(f"expected a duration like 30s, 5m or 1h, got {value!r}")
    return sum(float(n) * _UNITS[u.lower()] for n, u in _PART.findall(value))


def format_duration(seconds: float) -> str:
    """The shortest readable text for a duration, the inverse of parse_duration for whole units."""
    if seconds < 1 and seconds != 0:
        return f"{round(seconds * 1000)}ms"
    rest = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts) or "0s"
