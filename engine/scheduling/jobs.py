"""Everything APScheduler: the scheduler, schedule triggers as APScheduler triggers, the fire times between two
moments and the next ones, and the catch-up choice.

This is the only module that imports APScheduler (tests/engine/scheduling/test_imports.py checks it), so a newer
APScheduler with another API is one file's change.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from engine.io.triggers import crontab_day_of_week, parse_at
from engine.model.durations import parse_duration
from engine.model.workflow import Trigger

MAX_CATCH_UP = 100  # "catch_up: all" runs at most this many missed fires (the newest ones)
_EPSILON = timedelta(milliseconds=1)


class SteadyCron(CronTrigger):
    """CronTrigger that always moves forward and fires a repeated wall time once.

    APScheduler 3.11's CronTrigger can return a time before the previous fire when clocks go back (fall-back
    night), which makes the scheduler fire the same job again and again; and a daily 01:30 job would fire at
    both 01:30s. Here the search always starts after the previous fire (missed fires are counted by
    ``fires_between``, not by APScheduler), and a result showing the same wall time as the previous fire is
    skipped by searching again a minute later.
    """

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        # compared in UTC: aware datetimes in one zone compare by wall time, ignoring the DST fold
        now = now.astimezone(UTC)
        floor = max(now, _after(previous_fire_time)) if previous_fire_time else now
        best = self._steady_next(previous_fire_time, floor)
        zone = self.timezone
        if (floor - _LOOKBACK).astimezone(zone).utcoffset() != floor.astimezone(zone).utcoffset():  # a change passed
            skipped = self._skipped_wall_time(floor)
            if skipped and (best is None or skipped < best) and not _same_wall(skipped, previous_fire_time):
                return skipped
        return best

    def _steady_next(self, previous_fire_time: datetime | None, floor: datetime) -> datetime | None:
        """The first fire at or after ``floor`` that does not repeat the previous fire's wall time."""
        for _ in range(180):
            found = super().get_next_fire_time(None, floor)  # given a previous fire, 3.11 can go backwards
            if found is None:
                return None
            nxt = found.astimezone(UTC)
            if nxt >= floor and not _same_wall(found, previous_fire_time):
                return nxt
            floor = max(floor, nxt) + timedelta(minutes=1)
        return None

    def _skipped_wall_time(self, floor: datetime) -> datetime | None:
        """A fire at or after ``floor`` that stands for a wall time the spring-forward jump just skipped.

        Searching from ``floor`` (03:10 EDT) looks for the next 02:30 and finds tomorrow's; the 02:30 that did
        not exist tonight is 03:30 EDT, found only by a search from before the jump (at most a few tries).
        """
        start = floor - _LOOKBACK
        for _ in range(4):
            found = super().get_next_fire_time(None, start)
            if found is None:
                return None
            if found.astimezone(UTC) >= floor:
                return found.astimezone(UTC)
            start = found.astimezone(UTC) + timedelta(minutes=1)
        return None


_LOOKBACK = timedelta(hours=3)  # longer than any daylight-saving jump


def _after(moment: datetime) -> datetime:
    """A moment just after ``moment``, computed in UTC (aware arithmetic in a zone drops the DST fold)."""
    return moment.astimezone(UTC) + _EPSILON


def _same_wall(a: datetime, b: datetime | None) -> bool:
    return b is not None and a.replace(tzinfo=None) == b.astimezone(a.tzinfo).replace(tzinfo=None)


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
        return SteadyCron(
            minute=minute, hour=hour, day=day, month=month, day_of_week=crontab_day_of_week(dow), timezone=tz
        )
    if "every" in o:
        return IntervalTrigger(seconds=parse_duration(o["every"]), start_date=start, timezone=tz)
    return DateTrigger(run_date=parse_at(o["at"], o.get("timezone")), timezone=tz)


class _PassScheduler(BackgroundScheduler):
    """A BackgroundScheduler that says when each pass over its due jobs begins and ends (``hold``/``release``)."""

    def __init__(self, hold: Callable[[], None], release: Callable[[], None], **options: Any) -> None:
        super().__init__(**options)
        self._hold, self._release = hold, release

    def _process_jobs(self) -> float | None:  # APScheduler 3.x: the one place that runs due jobs
        self._hold()
        try:
            return super()._process_jobs()
        finally:
            self._release()


def new_scheduler(
    hold: Callable[[], None] | None = None, release: Callable[[], None] | None = None
) -> BackgroundScheduler:
    """The service's scheduler: a late fire is never dropped by APScheduler (the service applies misfire_grace and
    catch_up itself) and a fire of one job never waits for another run of it.

    A job runs in the scheduler's own thread (DebugExecutor): the service's job only hands the fire over to its
    fire thread (engine.scheduling.fires), which starts every fire waiting in one go; ``hold`` and ``release`` are
    called as each pass over the due jobs begins and ends, so that the fires of one pass are one batch. Before,
    fires went through a one-thread pool and then one by one: each fire took the service's lock and committed its
    run's history row on its own (200 fires in a second were hundreds of ms late, see benchmarks/README.md).
    """
    # its INFO lines ("Running job ...") are two per fire, written in the fire path; the service logs what matters
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return _PassScheduler(
        hold or (lambda: None),
        release or (lambda: None),
        executors={"default": DebugExecutor()},
        job_defaults={"coalesce": True, "max_instances": 1_000, "misfire_grace_time": None},
    )


def next_fires(trigger: Trigger, seen: datetime | None, now: datetime, count: int) -> list[datetime]:
    """The next ``count`` fires after ``now`` as the service arms them: ``every`` counts from ``seen`` (the last
    handled fire; ``now`` when there is none yet), so the rhythm shown is the one that will fire."""
    aps = make_trigger(trigger, start=seen or now)
    out: list[datetime] = []
    prev, t = None, _after(now)  # strictly after now: a fire at ``now`` is being handled already
    while len(out) < count:
        nxt = aps.get_next_fire_time(prev, t)
        if nxt is None or nxt <= now:  # a DateTrigger gives its moment even when it is past
            break
        out.append(nxt)
        prev, t = nxt, _after(nxt)
    return out


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
        start = since.astimezone(UTC)
        return [(start + timedelta(seconds=k * step)).astimezone(since.tzinfo) for k in ks]
    if "at" in o:
        moment = parse_at(o["at"], o.get("timezone"))
        return [moment] if _after(since) < moment <= until else []
    aps, zone = make_trigger(trigger), _zone(o) or since.tzinfo
    out: list[datetime] = []
    prev, t, end = None, _after(since), until.astimezone(UTC)
    while True:
        nxt = aps.get_next_fire_time(prev, t)
        if nxt is None or nxt > end:
            return out[-limit:]
        out.append(nxt.astimezone(zone))
        if len(out) > 2 * limit:
            del out[:limit]
        prev, t = nxt, _after(nxt)


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
