"""Cron across daylight-saving changes (America/New_York) and interval alignment, with the real APScheduler."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.model.workflow import Trigger
from engine.scheduling.jobs import fires_between, make_trigger, next_fires
from tests.engine.scheduling.helpers import lines, service, wait_for

NY = ZoneInfo("America/New_York")


def _fires(cron: str, start: datetime, end: datetime) -> list[str]:
    trigger = Trigger("schedule", {"cron": cron, "timezone": "America/New_York"})
    return [t.astimezone(UTC).strftime("%m-%d %H:%M") for t in fires_between(trigger, start, end)]


def test_daily_0230_on_spring_forward_fires_once_an_hour_later() -> None:
    # 8 March 2026: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist; it runs at 03:30 EDT (07:30 UTC)
    fires = _fires("30 2 * * *", datetime(2026, 3, 7, 12, tzinfo=NY), datetime(2026, 3, 9, 12, tzinfo=NY))
    assert fires == ["03-08 07:30", "03-09 06:30"]


@pytest.mark.parametrize("start", ["07:00:00", "07:29:50"])
def test_daily_0230_armed_after_the_jump_still_fires_at_0330(start: str) -> None:
    # armed (daemon started, file edited) at 03:00-03:30 EDT, after 02:00 EST became 03:00 EDT: APScheduler
    # alone searched for the next 02:30 wall time and planned tomorrow, so 03:30 EDT never ran that night
    trigger = Trigger("schedule", {"cron": "30 2 * * *", "timezone": "America/New_York"})
    now = datetime.fromisoformat(f"2026-03-08T{start}+00:00")
    fires = [t.astimezone(UTC).strftime("%m-%d %H:%M") for t in next_fires(trigger, None, now, 2)]
    assert fires == ["03-08 07:30", "03-09 06:30"]


@pytest.mark.parametrize(("cron", "expected"), [("30 2 * * *", "07:30"), ("30 1 * * *", "05:30")])
def test_daily_job_on_fall_back_fires_once(cron: str, expected: str) -> None:
    # 1 November 2026: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice but the job runs at the first one
    fires = _fires(cron, datetime(2026, 10, 31, 12, tzinfo=NY), datetime(2026, 11, 1, 12, tzinfo=NY))
    assert fires == [f"11-01 {expected}"]


def test_half_hourly_keeps_real_time_through_both_changes() -> None:
    back = _fires("*/30 * * * *", datetime(2026, 11, 1, 0, 45, tzinfo=NY), datetime(2026, 11, 1, 2, 15, tzinfo=NY))
    assert back == ["11-01 05:00", "11-01 05:30", "11-01 06:00", "11-01 06:30", "11-01 07:00"]
    spring = _fires("*/30 * * * *", datetime(2026, 3, 8, 1, 15, tzinfo=NY), datetime(2026, 3, 8, 3, 45, tzinfo=NY))
    assert spring == ["03-08 06:30", "03-08 07:00", "03-08 07:30"]  # 01:30 EST, then 03:00 and 03:30 EDT


def test_the_trigger_never_goes_backwards_as_apscheduler_calls_it() -> None:
    # APScheduler asks get_next_fire_time(last run, now) after each run; 3.11's CronTrigger returned an earlier
    # time on the fall-back night, which made the job fire in a loop
    aps = make_trigger(Trigger("schedule", {"cron": "*/30 * * * *", "timezone": "America/New_York"}))
    prev, seen = None, []
    now = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    for _ in range(8):
        nxt = aps.get_next_fire_time(prev, now)
        assert prev is None or nxt > prev
        seen.append(nxt)
        prev, now = nxt, nxt.astimezone(UTC) + timedelta(milliseconds=3)
    assert len({t.astimezone(UTC) for t in seen}) == 8


def test_crontab_weekday_numbers() -> None:
    aps = make_trigger(Trigger("schedule", {"cron": "0 8 * * 1-5", "timezone": "UTC"}))
    friday = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert aps.get_next_fire_time(None, friday) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday, not Saturday


FLOW = """flowdeck: 1
name: tick
triggers:
  - schedule: {every: 1s}
policy: {overlap: parallel}
steps:
  stamp:
    do: file.write
    with: {path: "%s", content: "{{ trigger.scheduled }}", append: true, newline: true}
"""


def test_every_second_stays_aligned(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    svc = service(tmp_path)
    (svc.workspace / "tick.yaml").write_text(FLOW % out, encoding="utf-8")
    svc.start()
    try:
        assert wait_for(lambda: len(lines(out)) >= 6, timeout=30)
        time.sleep(0.2)
    finally:
        svc.stop(grace=2)
    stamps = sorted(datetime.fromisoformat(x) for x in lines(out))
    first = stamps[0]
    offsets = [(t - first).total_seconds() for t in stamps]
    # each fire is planned exactly a whole number of seconds after the first: no drift accumulates
    assert all(abs(o - round(o)) < 0.002 for o in offsets), offsets
    assert [round(o) for o in offsets] == list(range(len(offsets)))
