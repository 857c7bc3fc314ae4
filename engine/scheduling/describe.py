"""Triggers in words ("every weekday at 08:00"); no APScheduler import so the GUI can use it cheaply."""

from __future__ import annotations

from engine.model.durations import parse_duration
from engine.model.workflow import Trigger

_DAYS = {"mon-fri": "weekday", "1-5": "weekday", "sat,sun": "weekend day", "*": "day"}


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
    """A 5-field cron line in words where it is a common shape, else the line itself."""
    fields = str(expr).split()
    if len(fields) != 5:
        return f"cron '{expr}'"
    minute, hour, dom, month, dow = fields
    if minute.isdigit() and hour.isdigit() and dom == "*" and month == "*":
        time = f"{int(hour):02d}:{int(minute):02d}"
        day = _DAYS.get(dow.lower(), dow)
        return f"every {day} at {time}"
    if minute.startswith("*/") and hour == dom == month == dow == "*":
        return describe_every(int(minute[2:]) * 60)
    if minute.isdigit() and hour == dom == month == dow == "*":
        return f"every hour at minute {int(minute)}"
    return f"cron '{expr}'"


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
    return trigger.kind
