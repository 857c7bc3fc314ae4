"""Schedule triggers as APScheduler triggers, the fire times between two moments, and the catch-up choice."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from engine.io.triggers import crontab_day_of_week, parse_at
from engine.model.durations import parse_duration
from engine.model.workflow import Trigger

MAX_CATCH_UP = 100  # "catch_up: all" runs at most this many missed fires (the newest ones)
_EPSILON = timedelta(milliseconds=1)


def _zone(options: dict[str, Any]) -> Any:
    return ZoneInfo(options["timezone"]) if options.get("timezone") else None


def make_trigger(trigger: Trigger, start: datetime | None = None) -> Any:
    """The APScheduler trigger for a ``schedule`` trigger.

    cron is 5-field crontab (0 and 7 are Sunday), local time unless ``timezone``; ``every`` counts from
    ``start`` (the last fire) so the rhythm survives restarts; ``at`` is one moment.
    """
    o = trigger.options
    tz = _zone(o)
    if "cron" in o:
        minute, hour, day, month, dow = str(o["cron"]).split()
        return CronTrigger(
            minute=minute, hour=hour, day=day, month=month, day_of_week=crontab_day_of_week(dow), timezone=tz
        )
    if "every" in o:
        return IntervalTrigger(seconds=parse_duration(o["every"]), start_date=start, timezone=tz)
    return DateTrigger(run_date=parse_at(o["at"], o.get("timezone")), timezone=tz)


def trigger_key(path: Any, trigger: Trigger) -> str:
    """A stable name for one schedule of one file (survives reordering the triggers list)."""
    return f"{path}|{json.dumps(trigger.options, sort_keys=True, default=str)}"


def fires_between(trigger: Trigger, since: datetime, until: datetime, limit: int = 10_000) -> list[datetime]:
    """Fire times t with since < t <= until (at most ``limit``, the newest kept)."""
    o = trigger.options
    if "every" in o:
        step = parse_duration(o["every"])
        count = math.floor((until - since).total_seconds() / step + 1e-9)
        ks = range(max(1, count - limit + 1), count + 1)
        return [since + timedelta(seconds=k * step) for k in ks]
    if "at" in o:
        moment = parse_at(o["at"], o.get("timezone"))
        return [moment] if since + _EPSILON < moment <= until else []
    aps = make_trigger(trigger)
    out: list[datetime] = []
    prev, t = None, since + _EPSILON
    while True:
        nxt = aps.get_next_fire_time(prev, t)
        if nxt is None or nxt > until:
            return out[-limit:]
        out.append(nxt)
        if len(out) > 2 * limit:
            del out[:limit]
        prev, t = nxt, nxt + _EPSILON


def to_catch_up(mode: str, missed: list[datetime], now: datetime, grace: float) -> list[datetime]:
    """Which missed fires to run now: ``none`` only a fire still within the misfire grace, ``last`` the
    newest one, ``all`` each of them (at most MAX_CATCH_UP)."""
    if not missed:
        return []
    if mode == "all":
        return missed[-MAX_CATCH_UP:]
    if mode == "last" or (now - missed[-1]).total_seconds() <= grace:
        return missed[-1:]
    return []
