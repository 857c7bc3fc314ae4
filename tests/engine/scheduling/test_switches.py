"""Disable, pause and resume really stop and restart fires (real APScheduler, 1-second schedules, short real waits);
next_fire_times against hand-computed times (manual clock)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from engine.scheduling.clock import ManualClock
from tests.engine.scheduling.helpers import lines, service, wait_for

FLOW = """flowdeck: 1
name: {name}
triggers:
{triggers}
policy: {{overlap: parallel}}
steps:
  note:
    do: file.write
    with: {{path: "{out}", content: "{{{{ trigger.get('scheduled', trigger.kind) }}}}", append: true, newline: true}}
"""


def _write(ws: Path, out: Path, triggers: str, name: str = "tick") -> Path:
    path = ws / f"{name}.yaml"
    path.write_text(FLOW.format(name=name, triggers=triggers, out=out), encoding="utf-8")
    return path


def _quiet_for(out: Path, seconds: float) -> list[str]:
    """What ``out`` gained over ``seconds`` (a run already under way may still finish at the start)."""
    time.sleep(0.3)
    before = lines(out)
    time.sleep(seconds)
    return lines(out)[len(before) :]


def test_a_disabled_workflow_does_not_fire_and_fires_again_when_enabled(tmp_path: Path) -> None:
    svc, out = service(tmp_path), tmp_path / "out.txt"
    flow = _write(svc.workspace, out, "  - schedule: {every: 1s}")
    svc.start()
    try:
        assert wait_for(lambda: len(lines(out)) >= 1, timeout=5)
        svc.set_enabled(flow, False)
        assert _quiet_for(out, 2.5) == []
        assert svc.workflows()[0].next_run is None and not svc.workflows()[0].enabled
        count = len(lines(out))
        svc.set_enabled(flow, True)
        assert wait_for(lambda: len(lines(out)) >= count + 2, timeout=5)
    finally:
        svc.stop(grace=1)


def test_pause_stops_every_kind_and_resume_fires_again_on_the_same_rhythm(tmp_path: Path) -> None:
    svc, out = service(tmp_path, webhook_port=0), tmp_path / "out.txt"
    flow = _write(svc.workspace, out, "  - schedule: {every: 1s}\n  - webhook: {path: tick}")
    svc.start()
    try:
        url = svc.webhook_url(flow)
        assert wait_for(lambda: len(lines(out)) >= 2, timeout=5)
        svc.pause_all()
        assert svc.paused
        assert httpx.post(url, json={}).status_code == 409
        assert _quiet_for(out, 2.5) == []
        count = len(lines(out))
        resumed = time.time()
        svc.resume_all()
        assert wait_for(lambda: len(lines(out)) >= count + 2, timeout=5)
        assert time.time() - resumed < 3.5  # the first fire after resuming is not dropped
        fires = [datetime.fromisoformat(x) for x in lines(out)]
        steps = [(b - fires[0]).total_seconds() for b in fires]
        assert all(abs(s - round(s)) < 1e-3 for s in steps), steps  # every fire on the rhythm it started with
        assert httpx.post(url, json={}).status_code == 202
    finally:
        svc.stop(grace=1)


def test_pause_is_kept_across_a_restart_and_startup_triggers_wait(tmp_path: Path) -> None:
    svc, out = service(tmp_path), tmp_path / "out.txt"
    _write(svc.workspace, out, "  - startup: {}\n  - schedule: {every: 1s}")
    svc.start()
    assert wait_for(lambda: "startup" in lines(out), timeout=5)
    svc.pause_all()
    svc.stop(grace=1)
    count = len(lines(out))
    again = service(tmp_path)
    again.start()
    try:
        assert again.paused
        time.sleep(2.5)
        assert len(lines(out)) == count  # neither the startup trigger nor the schedule
        again.resume_all()
        assert wait_for(lambda: len(lines(out)) > count, timeout=5)
    finally:
        again.stop(grace=1)


NOW = datetime(2027, 6, 2, 9, 30, tzinfo=UTC)  # a Wednesday


def test_next_fire_times_of_a_cron_and_an_interval(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    svc, out = service(tmp_path, clock=clock), tmp_path / "out.txt"
    cron = _write(svc.workspace, out, '  - schedule: {cron: "0 8 * * mon-fri", timezone: UTC}', "cron")
    every = _write(svc.workspace, out, "  - schedule: {every: 90m}", "every")
    both = _write(
        svc.workspace, out, '  - schedule: {every: 1d}\n  - schedule: {cron: "15 10 * * *", timezone: UTC}', "both"
    )
    svc.start()
    try:
        day = [datetime(2027, 6, d, 8, 0, tzinfo=UTC) for d in (3, 4, 7, 8, 9)]  # Thu, Fri, (weekend), Mon-Wed
        assert svc.next_fire_times(cron) == day
        assert svc.next_fire_times(cron, 2) == day[:2]
        assert svc.next_fire_times(every, 3) == [NOW + timedelta(minutes=90 * k) for k in (1, 2, 3)]
        assert svc.next_fire_times(both, 4) == [
            datetime(2027, 6, 2, 10, 15, tzinfo=UTC),
            NOW + timedelta(days=1),
            datetime(2027, 6, 3, 10, 15, tzinfo=UTC),
            NOW + timedelta(days=2),
        ]
        clock.advance(2 * 3600)  # 11:30: the interval keeps counting from when it was armed (09:30)
        assert svc.next_fire_times(every, 2) == [NOW + timedelta(minutes=180), NOW + timedelta(minutes=270)]
        assert svc.next_fire_times(cron, 1) == day[:1]
        assert [i.next_run for i in sorted(svc.workflows(), key=lambda i: i.name)] == [
            NOW + timedelta(days=1),  # 'both': today's 10:15 has passed; 09:30 tomorrow comes before 10:15
            day[0],
            NOW + timedelta(minutes=180),
        ]
    finally:
        svc.stop(grace=1)
