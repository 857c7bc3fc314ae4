"""What each trigger kind accepts, checked without starting a scheduler (no APScheduler import here).

The scheduler (engine.scheduling) arms what these checks let through. Each check returns
(option key or None, message, severity) so the validator can point at file:line:col of the option.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.desktop.triggers import CHECKS as DESKTOP_CHECKS
from engine.model.durations import parse_duration
from engine.model.workflow import Trigger

Found = list[tuple[str | None, str, str]]  # (option key or None, message, "error" | "warning")

SCHEDULE_KEYS = ("cron", "every", "at", "timezone", "jitter")
WATCH_KEYS = ("path", "pattern", "events", "recursive", "debounce")
WATCH_EVENTS = ("created", "modified", "deleted", "moved")
WEBHOOK_KEYS = ("path", "methods", "wait", "token")
WEBHOOK_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")  # what a webhook trigger's ``methods`` may list
CATCH_UP = ("none", "last", "all")
FIRST_YEAR, LAST_YEAR = 1970, 9999  # the years a date may name (a clock or timer cannot go further either way)
_WEBHOOK_PATH = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, low, high, names mapped to numbers)
_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}),
    ("day-of-week", 0, 7, {d: i for i, d in enumerate(_DAYS)}),
)


def _value(text: str, low: int, high: int, names: dict[str, int]) -> int:
    number = names.get(text.lower()) if not text.isdigit() else int(text)
    if number is None:
        expected = f"a number {low}-{high}" + (f" or a name ({', '.join(names)})" if names else "")
        raise ValueError(f"'{text}' is not {expected}")
    if not low <= number <= high:
        raise ValueError(f"{number} is out of range {low}-{high}")
    return number


def _cron_part(part: str, low: int, high: int, names: dict[str, int]) -> None:
    base, _, step = part.partition("/")
    if step and (not step.isdigit() or int(step) < 1):
        raise ValueError(f"step '/{step}' must be a whole number of at least 1")
    if base in ("*", "?"):
        return
    first, dash, last = base.partition("-")
    a = _value(first, low, high, names)
    if dash and _value(last, low, high, names) < a:
        raise ValueError(f"range '{base}' goes backwards")


def cron_problem(expr: Any) -> str | None:
    """Why ``expr`` is not a 5-field cron line (naming the bad field), or None."""
    fields = str(expr).split()
    if len(fields) != 5:
        return (
            f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)} in {str(expr)!r}, "
            "e.g. '0 8 * * mon-fri'"
        )
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for part in text.split(","):
            try:
                _cron_part(part, low, high, names)
            except ValueError as exc:
                return f"{name} field '{text}': {exc}"
    return None


def crontab_day_of_week(field: str) -> str:
    """A crontab day-of-week field with numbers as names (crontab: 0 and 7 are Sunday; APScheduler 3: 0 is Monday)."""

    def name(token: str) -> str:
        return _DAYS[int(token) % 7] if token.isdigit() else token

    out = []
    for part in field.split(","):
        base, slash, step = part.partition("/")
        if base in ("*", "?"):
            out.append(part)
            continue
        first, dash, last = base.partition("-")
        if dash and last == "7" and first.isdigit():  # "1-7" / "0-7": every day from first
            base = "*" if first in ("0", "1") else f"{name(first)}-sun" if first != "7" else "sun"
        else:
            base = f"{name(first)}-{name(last)}" if dash else name(first)
        out.append(base + (slash + step if slash else ""))
    return ",".join(out)


def zone_problem(name: Any) -> str | None:
    if not isinstance(name, str) or not name:
        return "expected a time zone name like 'Europe/Berlin' or 'UTC'"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone '{name}' (expected a name like 'Europe/Berlin', 'America/New_York' or 'UTC')"
    return None


def parse_at(value: Any, timezone: str | None = None) -> datetime:
    """An ``at`` value as an aware datetime (local time, or ``timezone``, unless it carries an offset)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.strip().replace("T", " ").replace("Z", "+00:00"))
    else:
        raise ValueError("expected a date and time like '2026-12-01 09:00'")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone)) if timezone else moment.astimezone()
    return moment


def _unknown(options: dict[str, Any], allowed: tuple[str, ...]) -> Found:
    return [(k, f"unknown option (expected: {', '.join(allowed)})", "error") for k in options if k not in allowed]


def _schedule(options: dict[str, Any]) -> Found:
    found = _unknown(options, SCHEDULE_KEYS)
    kinds = [k for k in ("cron", "every", "at") if k in options]
    if len(kinds) != 1:
        found.append((None, "a schedule has exactly one of cron, every or at", "error"))
        return found
    zone_ok = True
    if "timezone" in options and (problem := zone_problem(options["timezone"])):
        found.append(("timezone", problem, "error"))
        zone_ok = False
    if "cron" in options and (problem := cron_problem(options["cron"])):
        found.append(("cron", problem, "error"))
    if "every" in options:
        found += _duration("every", options["every"], "interval", positive=True)
    if "at" in options:
        try:
            moment = parse_at(options["at"], options.get("timezone") if zone_ok else None)
            if not FIRST_YEAR <= moment.year <= LAST_YEAR:
                found.append(("at", f"the year {moment.year} is outside {FIRST_YEAR}–{LAST_YEAR}", "error"))
            elif moment < datetime.now().astimezone():
                found.append(("at", f"{options['at']} is in the past: this trigger will not fire", "warning"))
        except (ValueError, OverflowError):
            found.append(("at", f"expected a date and time like '2026-12-01 09:00', got {options['at']!r}", "error"))
    if "jitter" in options:
        found += _duration("jitter", options["jitter"], "jitter")
    return found


def _duration(key: str, value: Any, what: str, *, positive: bool = False) -> Found:
    try:
        parse_duration(value, what, positive=positive)
    except (ValueError, TypeError) as exc:
        return [(key, str(exc), "error")]
    return []


def _watch(options: dict[str, Any]) -> Found:
    found = _unknown(options, WATCH_KEYS)
    path = options.get("path")
    if not isinstance(path, str) or not path.strip():
        found.append(("path" if "path" in options else None, "path: required (the folder to watch)", "error"))
    pattern = options.get("pattern", "*")
    if not isinstance(pattern, str) or not pattern or pattern.startswith("/"):
        found.append(("pattern", "expected a glob pattern like '*.pdf' or 'invoices/*.csv'", "error"))
    events = options.get("events", ["created"])
    events = [events] if isinstance(events, str) else events
    if not isinstance(events, list) or not events or any(e not in WATCH_EVENTS for e in events):
        found.append(("events", f"expected a list of {', '.join(WATCH_EVENTS)}, got {events!r}", "error"))
    if "recursive" in options and not isinstance(options["recursive"], bool):
        found.append(("recursive", "expected true or false", "error"))
    if "debounce" in options:
        found += _duration("debounce", options["debounce"], "debounce")
    return found


def _webhook(options: dict[str, Any]) -> Found:
    found = _unknown(options, WEBHOOK_KEYS)
    path = options.get("path")
    if path is not None and not (isinstance(path, str) and _WEBHOOK_PATH.match(path)):
        found.append(
            ("path", f"{path!r}: expected a name of letters, digits, - and _ (the URL is /hook/<name>)", "error")
        )
    token = options.get("token")
    if token is not None and (not isinstance(token, str) or not token):
        found.append(("token", "expected a secret reference like '{{ secrets.hook_token }}'", "error"))
    elif isinstance(token, str) and "secrets." not in token:
        found.append(("token", "a token written in the file is not secret: use '{{ secrets.<name> }}'", "warning"))
    if "wait" in options and not isinstance(options["wait"], bool):
        found.append(("wait", "expected true or false", "error"))
    if "methods" in options:
        found += _methods(options["methods"])
    return found


def _methods(value: Any) -> Found:
    """``methods``: one HTTP method or a list of them, in any case."""
    given = value if isinstance(value, list) else [value]
    wrong = [m for m in given if not isinstance(m, str) or m.strip().upper() not in WEBHOOK_METHODS]
    if not given or wrong:
        shown = ", ".join(repr(m) for m in wrong) or "an empty list"
        return [("methods", f"{shown}: expected one or a list of {', '.join(WEBHOOK_METHODS)}", "error")]
    return []


def _startup(options: dict[str, Any]) -> Found:
    return _unknown(options, ())


CHECKS: dict[str, Callable[[dict[str, Any]], Found]] = {
    "schedule": _schedule,
    "watch": _watch,
    "webhook": _webhook,
    "startup": _startup,
}
CHECKS.update(DESKTOP_CHECKS)  # hotkey, window, clipboard, session, device: declared in engine.desktop.triggers


def check_trigger(trigger: Trigger) -> Found:
    check = CHECKS.get(trigger.kind)
    return check(trigger.options) if check else [(None, f"unknown trigger kind '{trigger.kind}'", "error")]


def catch_up_mode(value: Any) -> str:
    """The catch-up policy as none|last|all (true means last, false none; default last)."""
    if value is None or value is True:
        return "last"
    if value is False:
        return "none"
    return str(value)
