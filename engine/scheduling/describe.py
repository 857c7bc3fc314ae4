"""Triggers in words ("every weekday at 08:00"); no APScheduler import so the GUI can use it cheaply."""

from __future__ import annotations

from engine.desktop.triggers import KINDS as DESKTOP_KINDS
from engine.model.durations import parse_duration
from engine.model.workflow import Trigger

_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ABBREV = {name[:3].lower(): i for i, name in enumerate(_NAMES)}
_SETS = {(1, 2, 3, 4, 5): "weekday", (0, 6): "weekend day"}


def _plural(n: float, unit: str) -> str:
    n = int(n) if float(n).is_integer() else n
    return f"every {unit}" if n == 1 else f"every {n} {unit}s"


def describe_every(seconds: float) -> str:
    """``600`` → "every 10 minutes"."""
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            return _plural(seconds / size, unit)
    return _plural(seconds, "second")


def describe_cron(expr: str) -> str:
    """A 5-field cron line in words where it is a common shape ("every Sunday at 03:00"), else the line itself."""
    fields = str(expr).split()
    if len(fields) != 5:
        return f"cron '{expr}'"
    minute, hour, dom, month, dow = fields
    days = _days(dow)
    if days is None or month != "*":
        return f"cron '{expr}'"
    times = _times(minute, hour)
    if times is not None and dom == "*":
        return f"every {days} at {times}"
    if times is not None and dom.isdigit() and dow == "*":
        return f"on day {int(dom)} of every month at {times}"
    if dom != "*":
        return f"cron '{expr}'"
    on = "" if dow == "*" else f" on {days}s"
    if minute.startswith("*/") and minute[2:].isdigit() and hour == "*":
        return describe_every(int(minute[2:]) * 60) + on
    if minute.isdigit() and hour == "*":
        return f"every hour at minute {int(minute)}" + on
    return f"cron '{expr}'"


def _days(dow: str) -> str | None:
    """ "day", "weekday", "Sunday", "Monday and Thursday"; None for shapes this does not name."""
    if dow == "*":
        return "day"
    numbers: set[int] = set()
    for part in dow.lower().split(","):
        first, _, last = part.partition("-")
        ends = [_day_number(first), _day_number(last or first)]
        if None in ends:
            return None
        a, b = ends
        numbers.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    picked = tuple(sorted(n % 7 for n in numbers))
    if picked in _SETS:
        return _SETS[picked]
    names = [_NAMES[n] for n in sorted(set(picked), key=lambda n: (n + 6) % 7)]  # the week starts on Monday
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _day_number(text: str) -> int | None:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    return _ABBREV.get(text[:3]) if len(text) >= 3 else None


def _times(minute: str, hour: str) -> str | None:
    """ "08:00", "09:00 and 17:00"; None unless both fields are plain numbers (hours may be a list)."""
    hours = hour.split(",")
    if not minute.isdigit() or not all(h.isdigit() for h in hours):
        return None
    texts = [f"{int(h):02d}:{int(minute):02d}" for h in hours]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def describe_trigger(trigger: Trigger) -> str:
    """One line a person can read for any trigger."""
    o = trigger.options
    if trigger.kind == "schedule":
        text = ""
        if "cron" in o:
            text = describe_cron(o["cron"])
        elif "every" in o:
            try:
                text = describe_every(parse_duration(o["every"]))
            except ValueError:
                text = f"every {o['every']}"
        elif "at" in o:
            text = f"once at {o['at']}"
        return f"{text} ({o['timezone']})" if o.get("timezone") else text
    if trigger.kind == "watch":
        events = o.get("events", ["created"])
        events = [events] if isinstance(events, str) else events
        return f"when a {o.get('pattern', 'file')} is {' or '.join(events)} in {o.get('path')}"
    if trigger.kind == "webhook":
        return f"when /hook/{o.get('path', '<name>')} is called"
    if trigger.kind == "startup":
        return "when the service starts"
    if trigger.kind in DESKTOP_KINDS:
        return DESKTOP_KINDS[trigger.kind].describe(o)
    return trigger.kind
