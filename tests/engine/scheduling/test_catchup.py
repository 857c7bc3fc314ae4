"""Missed fires after a restart or a sleep, with a manual clock (real engine, real files, real APScheduler)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.scheduling.clock import ManualClock
from tests.engine.scheduling.helpers import lines, service, wait_for

FLOW = """flowdeck: 1
name: daily
triggers:
  - schedule: {{{trigger}}}
policy: {{{policy}}}
steps:
  note:
    do: file.write
    with:
      path: "{out}"
      content: "{{{{ trigger.scheduled }}}} {{{{ trigger.get('missed', 0) }}}}"
      append: true
      newline: true
"""
START = datetime(2027, 6, 1, 7, 0, tzinfo=UTC)


def _write(tmp_path: Path, policy: str, trigger: str = 'cron: "0 8 * * *", timezone: UTC') -> Path:
    (tmp_path / "ws").mkdir(exist_ok=True)
    out = tmp_path / "out.txt"
    (tmp_path / "ws" / "daily.yaml").write_text(FLOW.format(trigger=trigger, policy=policy, out=out), encoding="utf-8")
    return out


def _restart_after(tmp_path: Path, clock: ManualClock, seconds: float) -> None:
    first = service(tmp_path, clock=clock)
    first.start()
    first.stop(grace=1)
    clock.advance(seconds)  # Flowdeck closed for a while
    second = service(tmp_path, clock=clock)
    second.start()
    time.sleep(1.0)  # runs started at arm time finish quickly
    second.stop(grace=5)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("catch_up: last", ["2027-06-04T08:00:00+00:00 4"]),
        ("catch_up: true", ["2027-06-04T08:00:00+00:00 4"]),
        ("catch_up: all, overlap: queue", [f"2027-06-0{d}T08:00:00+00:00 4" for d in (1, 2, 3, 4)]),
        ("catch_up: none", []),
        ("catch_up: none, misfire_grace: 2h", ["2027-06-04T08:00:00+00:00 4"]),
    ],
)
def test_restart_after_three_days(tmp_path: Path, policy: str, expected: list[str]) -> None:
    out = _write(tmp_path, policy)
    _restart_after(tmp_path, ManualClock(START), 3 * 86400 + 2.5 * 3600)  # until 4 June 09:30
    assert wait_for(lambda: len(lines(out)) >= len(expected), timeout=10)
    assert lines(out) == expected


def test_restart_within_the_same_slot_does_not_fire_twice(tmp_path: Path) -> None:
    out = _write(tmp_path, "catch_up: all")
    clock = ManualClock(START)
    _restart_after(tmp_path, clock, 2 * 3600)  # 09:00: the 08:00 fire is owed once
    assert wait_for(lambda: len(lines(out)) == 1)
    svc = service(tmp_path, clock=clock)  # started again a minute later: nothing more is owed
    clock.advance(60)
    svc.start()
    time.sleep(1.0)
    svc.stop(grace=2)
    assert len(lines(out)) == 1
    state = json.loads((tmp_path / "state" / "scheduler-state.json").read_text())
    assert list(state["seen"].values()) == ["2027-06-01T08:00:00+00:00"]


def test_sleep_is_detected_and_missed_fires_run_once(tmp_path: Path) -> None:
    out = _write(tmp_path, "catch_up: last", 'cron: "0 * * * *", timezone: UTC')
    clock = ManualClock(datetime(2027, 6, 1, 10, 30, tzinfo=UTC))
    svc = service(tmp_path, clock=clock)
    events: list[str] = []
    svc.subscribe(lambda e: events.append(e.message) if e.kind == "caught_up" else None)
    svc.start()
    try:
        clock.advance(20)  # awake: both clocks move
        assert svc.check_sleep() == 0.0
        clock.sleep(3 * 3600)  # suspended until 13:30: 11:00, 12:00 and 13:00 were missed
        svc.check_sleep()  # the watch thread (every 2 s) may have seen it first; either way it runs once
        assert wait_for(lambda: len(lines(out)) == 1)
        time.sleep(2.5)
        assert lines(out) == ["2027-06-01T13:00:00+00:00 3"]
        assert events == ["3 missed, 1 run (last)"]
    finally:
        svc.stop(grace=2)


def test_at_in_the_past_never_runs_but_a_missed_one_catches_up(tmp_path: Path) -> None:
    out = _write(tmp_path, "catch_up: last", 'at: "2027-06-01 06:00", timezone: UTC')
    clock = ManualClock(START)  # 07:00: the 06:00 moment was already past when the file was first seen
    svc = service(tmp_path, clock=clock)
    svc.start()
    assert svc.workflows()[0].next_run is None
    svc.stop(grace=1)
    assert lines(out) == []
    out = _write(tmp_path, "catch_up: last", 'at: "2027-06-01 08:00", timezone: UTC')
    _restart_after(tmp_path, clock, 3 * 3600)  # armed at 07:00, closed, opened at 10:00
    assert wait_for(lambda: len(lines(out)) == 1)
    assert lines(out) == ["2027-06-01T08:00:00+00:00 1"]


def test_a_sleep_during_a_run_catches_up_after_it_ends(tmp_path: Path) -> None:
    """The computer slept while a run was going: the one caught-up fire (catch_up: last) waits for that run and
    then runs, also under overlap: skip (it used to go through the on-time path and was dropped as an overlap)."""
    (tmp_path / "ws").mkdir()
    out = tmp_path / "out.txt"
    flow = FLOW.format(trigger='cron: "0 * * * *", timezone: UTC', policy="catch_up: last", out=out)
    begun = tmp_path / "begun"
    hold = f"  begin: {{do: file.write, with: {{path: '{begun}', content: x}}, next: hold}}\n"
    hold += "  hold: {do: wait, with: {duration: 1s}, next: note}\n"
    flow = flow.replace("steps:\n", "steps:\n" + hold)
    flow = flow.replace("trigger.scheduled", "trigger.get('scheduled', 'by hand')")
    path = tmp_path / "ws" / "daily.yaml"
    path.write_text(flow, encoding="utf-8")
    clock = ManualClock(datetime(2027, 6, 1, 10, 30, tzinfo=UTC))
    svc = service(tmp_path, clock=clock)
    svc.start()
    try:
        svc.run_now(path)  # a run going (1 s) when the computer is suspended
        assert wait_for(begun.exists)
        clock.sleep(3 * 3600)
        svc.check_sleep()
        assert wait_for(lambda: len(lines(out)) == 2, timeout=10), lines(out)
        assert lines(out) == ["by hand 0", "2027-06-01T13:00:00+00:00 3"]
    finally:
        svc.stop(grace=2)
