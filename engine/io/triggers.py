"""What each trigger kind accepts, checked without starting a scheduler.

The scheduler (engine.scheduling) arms what these checks let through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.model.durations import parse_duration
from engine.model.workflow import Trigger

Found = list[tuple[str | None, str]]  # (option key or None, message)

SCHEDULE_KEYS = ("cron", "every", "at", "timezone", "jitter")
WATCH_KEYS = ("path", "pattern", "events", "recursive", "debounce")
WATCH_EVENTS = ("created", "modified", "deleted", "moved")
WEBHOOK_KEYS = ("path", "methods", "wait")
_CRON_FIELD = re.compile(r"^[\w*/,\-?LW#]+$")
_WEBHOOK_PATH = re.compile(r"^[A-Za-z0-9_\-]+$")


def _unknown(options: dict[str, Any], allowed: tuple[str, ...]) -> Found:
    return [(k, f"unknown option (expected: {', '.join(allowed)})") for k in options if k not in allowed]


def _schedule(options: dict[str, Any]) -> Found:
    found = _unknown(options, SCHEDULE_KEYS)
    kinds = [k for k in ("cron", "every", "at") if k in options]
    if len(kinds) != 1:
        found.append((None, "a schedule has exactly one of cron, every or at"))
        return found
    if "cron" in options:
        fields = str(options["cron"]).split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            found.append(
                (
                    "cron",
                    "expected 5 fields: minute hour day-of-month month day-of-week, e.g. '0 8 * * mon-fri'",
                )
            )
    if "every" in options:
        try:
            if parse_duration(options["every"]) <= 0:
                found.append(("every", "must be longer than 0s"))
        except ValueError as exc:
            found.append(("every", str(exc)))
    if "at" in options and not isinstance(options["at"], str):
        found.append(("at", "expected a date and time like '2026-12-01 09:00'"))
    return found


def _watch(options: dict[str, Any]) -> Found:
    found = _unknown(options, WATCH_KEYS)
    if not isinstance(options.get("path"), str) or not options.get("path"):
        found.append(("path" if "path" in options else None, "path: required (the folder to watch)"))
    events = options.get("events", ["created"])
    events = [events] if isinstance(events, str) else events
    if not isinstance(events, list) or any(e not in WATCH_EVENTS for e in events):
        found.append(("events", f"expected a list of {', '.join(WATCH_EVENTS)}"))
    if "debounce" in options:
        try:
            parse_duration(options["debounce"])
        except ValueError as exc:
            found.append(("debounce", str(exc)))
    return found


def _webhook(options: dict[str, Any]) -> Found:
    found = _unknown(options, WEBHOOK_KEYS)
    path = options.get("path")
    if path is not None and not (isinstance(path, str) and _WEBHOOK_PATH.match(path)):
        found.append(("path", "expected a short name of letters, digits, - and _ (the URL is /hook/<name>)"))
    return found


def _startup(options: dict[str, Any]) -> Found:
    return _unknown(options, ())


CHECKS: dict[str, Callable[[dict[str, Any]], Found]] = {
    "schedule": _schedule,
    "watch": _watch,
    "webhook": _webhook,
    "startup": _startup,
}


def check_trigger(trigger: Trigger) -> Found:
    check = CHECKS.get(trigger.kind)
    return check(trigger.options) if check else [(None, f"unknown trigger kind '{trigger.kind}'")]
