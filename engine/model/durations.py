"""Durations as people write them: ``30s``, ``5m``, ``1h30m``, ``2d``, ``250ms`` or a plain number of seconds.

Every duration is bounded: at most :data:`MAX_DURATION` (366 days), so no timeout, wait, retry delay or interval
can overflow a clock or a timer. Validation and the runtime (a duration that an expression gives) call the same
:func:`parse_duration`, so both say the same words.
"""

from __future__ import annotations

import math
import re

MAX_DURATION = 366 * 86400.0  # seconds: the longest timeout, wait, retry delay or schedule interval
MAX_DURATION_TEXT = "366 days"
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)\s*)+$", re.IGNORECASE)
_LONGEST_TEXT = 200  # characters: more than any real duration needs (and float() on 10,000 digits is slow)


def parse_duration(value: object, what: str = "duration", *, positive: bool = False) -> float:
    """Return the duration in seconds, or raise ValueError with a message a person understands.

    ``what`` names the setting in the message ("1e400 s is longer than the largest timeout (366 days)");
    ``positive`` refuses zero as well.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like 30s, 5m or 1h, got {value!r}")
    if isinstance(value, int | float):
        seconds = _number(value, what)
    elif isinstance(value, str) and len(value) <= _LONGEST_TEXT and _WHOLE.match(value):
        seconds = sum(float(n) * _UNITS[u.lower()] for n, u in _PART.findall(value))
        if not seconds <= MAX_DURATION:  # also catches inf from absurdly many digits
            raise ValueError(f"{_short(value)} is longer than the largest {what} ({MAX_DURATION_TEXT})")
    else:
        shown = _short(value) if isinstance(value, str) else repr(value)
        raise ValueError(f"expected a duration like 30s, 5m or 1h, got {shown}")
    if positive and seconds <= 0:
        raise ValueError(f"the {what} must be longer than 0s, got {format_duration(seconds)}")
    return seconds


def _number(value: int | float, what: str) -> float:
    if isinstance(value, float) and math.isnan(value):
        raise ValueError(f"expected a duration like 30s, 5m or 1h, got {value} (not a number)")
    if value < 0:
        raise ValueError(f"a duration cannot be negative, got {show_number(value)}")
    if value > MAX_DURATION:  # compared before float(): a 400-digit int does not fit in a float
        raise ValueError(f"{show_number(value)} s is longer than the largest {what} ({MAX_DURATION_TEXT})")
    return float(value)


def show_number(value: int | float) -> str:
    """A number for a message, short even when it has 400 digits: 10**400 -> ``1e400``."""
    if isinstance(value, int) and abs(value) >= 10**15:
        digits = str(abs(value))
        mantissa = digits[0] + ("." + digits[1:4].rstrip("0") if digits[1:4].rstrip("0") else "")
        return f"{'-' if value < 0 else ''}{mantissa}e{len(digits) - 1}"
    if isinstance(value, float) and math.isinf(value):
        return "infinity" if value > 0 else "-infinity"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


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
