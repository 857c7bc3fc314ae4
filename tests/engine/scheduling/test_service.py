"""The scheduling service with a real APScheduler, real files and a real engine."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from engine.model.workflow import Trigger
from engine.scheduling.describe import describe_trigger
from engine.scheduling.service import Service, make_trigger

FLOW = """flowdeck: 1
name: {name}
triggers:
{triggers}
steps:
  write:
    do: file.write
    with: {{path: "{out}", content: "x", append: true}}
"""


def _flow(path: Path, out: Path, triggers: str = "  - startup: {}") -> Path:
    path.write_text(FLOW.format(name=path.stem, triggers=triggers, out=out), encoding="utf-8")
    return path


def _wait(cond, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_cron_across_berlin_spring_forward() -> None:
    trig = make_trigger(Trigger("schedule", {"cron": "30 2 * * *", "timezone": "Europe/Berlin"}))
    tz = ZoneInfo("Europe/Berlin")
    nxt = trig.get_next_fire_time(None, datetime(2026, 3, 28, 12, 0, tzinfo=tz))
    after = trig.get_next_fire_time(nxt, nxt + timedelta(seconds=1))
    # 02:30 does not exist on 29 March 2026 in Berlin: it fires once that night (01:30 UTC), then daily again
    assert nxt.astimezone(ZoneInfo("UTC")) == datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("UTC"))
    assert after == datetime(2026, 3, 30, 2, 30, tzinfo=tz)


def test_describe() -> None:
    assert describe_trigger(Trigger("schedule", {"cron": "0 8 * * mon-fri"})) == "every weekday at 08:00"
    assert describe_trigger(Trigger("schedule", {"every": "10m"})) == "every 10 minutes"


def test_startup_interval_disable_and_invalid(tmp_path: Path) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out.txt"
    ws.mkdir()
    flow = _flow(ws / "a.yaml", out, "  - startup: {}\n  - schedule: {every: 1s}")
    service = Service(ws, state_dir=tmp_path / "state", webhook_port=None)
    events: list[str] = []
    service.subscribe(lambda e: events.append(e.kind))
    service.start()
    try:
        assert _wait(lambda: out.exists() and len(out.read_text()) >= 3)
        info = service.workflows()[0]
        assert info.valid and info.triggers == ["when the service starts", "every second"]
        assert info.next_run is not None
        flow.write_text("name: broken\nsteps: {}\n", encoding="utf-8")
        assert _wait(lambda: "workflow_invalid" in events)
        assert not service.workflows()[0].valid and service.workflows()[0].problems
        size = len(out.read_text())
        time.sleep(2.0)
        assert len(out.read_text()) <= size + 1  # at most one run already under way
    finally:
        service.stop(grace=2)


def test_enable_flag_is_remembered(tmp_path: Path) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out.txt"
    ws.mkdir()
    flow = _flow(ws / "a.yaml", out, "  - schedule: {every: 1h}")
    s1 = Service(ws, state_dir=tmp_path / "state", webhook_port=None)
    s1.start()
    s1.set_enabled(flow, False)
    s1.pause_all()
    s1.stop(grace=1)
    s2 = Service(ws, state_dir=tmp_path / "state", webhook_port=None)
    s2.start()
    try:
        assert s2.paused and not s2.workflows()[0].enabled
    finally:
        s2.stop(grace=1)


SLOW = """flowdeck: 1
name: slow
triggers:
  - schedule: {every: 1s}
policy: {overlap: %s}
steps:
  mark:
    do: file.write
    with: {path: "%s", content: "x", append: true}
    next: pause
  pause:
    do: wait
    with: {duration: 3s}
"""


def test_overlap_skip_vs_parallel(tmp_path: Path) -> None:
    counts = {}
    for policy in ("skip", "parallel"):
        ws, out = tmp_path / policy, tmp_path / f"{policy}.txt"
        ws.mkdir()
        (ws / "slow.yaml").write_text(SLOW % (policy, out), encoding="utf-8")
        service = Service(ws, state_dir=tmp_path / f"state-{policy}", webhook_port=None)
        service.start()
        try:
            assert _wait(lambda out=out: out.exists())
            time.sleep(2.6)  # about three more fires while the first run is still waiting
            counts[policy] = len(out.read_text())
        finally:
            service.stop(grace=0.5)
    assert counts["skip"] == 1
    assert counts["parallel"] >= 2
