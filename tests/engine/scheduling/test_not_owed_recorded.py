"""Fires not owed (everything paused, the workflow disabled) are recorded as not run: a real History, a manual clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from engine.runtime import Engine
from engine.runtime.history import History
from engine.scheduling.clock import ManualClock
from tests.engine.scheduling.helpers import service

FLOW = """flowdeck: 1
name: Ticker
triggers:
  - schedule: {every: 1m}
steps:
  s: {do: log, with: {message: hi}}
"""


def _started(tmp_path: Path) -> tuple:
    history = History(tmp_path / "h.sqlite3")
    clock = ManualClock(datetime(2027, 6, 1, 7, 0, 30, tzinfo=UTC))
    svc = service(tmp_path, clock=clock, engine=Engine(history=history))
    (svc.workspace / "ticker.yaml").write_text(FLOW, encoding="utf-8")
    svc.start()
    return svc, clock, history


def _skipped(history: History) -> list[tuple[str, int, str]]:
    history.flush()
    return [(r.error["message"], r.error["count"], r.trigger["scheduled"]) for r in history.runs(status="skipped")]


def test_fires_while_paused_are_one_skipped_row_on_resume(tmp_path: Path) -> None:
    svc, clock, history = _started(tmp_path)
    try:
        svc.pause_all()
        clock.advance(5 * 60)
        svc.resume_all()
        rows = _skipped(history)
        assert [(m.split(" (")[0], n, first) for m, n, first in rows] == [
            ("paused — triggers were paused", 5, "2027-06-01T07:01:30+00:00")  # the first fire not run
        ]
    finally:
        svc.stop(grace=1)


def test_fires_while_disabled_are_one_skipped_row_on_enable(tmp_path: Path) -> None:
    svc, clock, history = _started(tmp_path)
    try:
        path = (svc.workspace / "ticker.yaml").resolve()
        svc.set_enabled(path, False)
        clock.advance(3 * 60)
        svc.set_enabled(path, True)
        rows = _skipped(history)
        assert [(m.split(" (")[0], n) for m, n, _ in rows] == [("the workflow was disabled", 3)]
    finally:
        svc.stop(grace=1)
