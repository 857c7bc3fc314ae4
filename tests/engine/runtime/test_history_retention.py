"""Per-workflow retention (``policy.history``) on real SQLite files: applied by prune, kept across reopening."""

from __future__ import annotations

import time
from pathlib import Path

from engine.runtime import Engine
from engine.runtime import events as ev
from engine.runtime.history import History
from engine.runtime.records import Retention
from tests.engine.runtime.conftest import REGISTRY, load


def _flow(name: str, policy: str = "") -> str:
    head = f"flowdeck: 1\nname: {name}\n" + (f"policy: {policy}\n" if policy else "")
    return head + "steps:\n  a: {do: log, with: {message: hi}}\n"


def _run_times(history: History, flow: str, times: int) -> list[str]:
    eng = Engine(workers=1, registry=REGISTRY, history=history)
    try:
        ids = [eng.run(load(flow)).run_id for _ in range(times)]
        eng.bus.flush()
        history.flush()
    finally:
        eng.shutdown(1)  # closes the history
    return ids


def _feed(history: History, run_id: str, workflow: str, started: float) -> None:
    history.listen_batch([
        ev.Event(ev.RUN_STARTED, run_id, workflow, None, {}, started),
        ev.Event(ev.RUN_FINISHED, run_id, workflow, None, {"status": "succeeded"}, started + 1),
    ])  # fmt: skip


def test_keep_runs_of_the_policy_is_applied_by_prune(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    ids = _run_times(History(path), _flow("Three", "{history: {keep_runs: 3}}"), 5)
    _run_times(History(path), _flow("Default"), 5)  # no policy: the history's 200
    history = History(path)
    assert history.prune() == 2
    assert [r.run_id for r in history.runs("Three")] == ids[:1:-1]  # the newest three, newest first
    assert len(history.runs("Default")) == 5
    history.close()


def test_policy_is_remembered_by_the_database_and_dropped_with_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    _run_times(History(path), _flow("Kept", "{history: {keep_runs: 2}}"), 4)
    reopened = History(path)  # a later process (the history page, a daemon) that never ran the workflow
    assert reopened.prune() == 2 and len(reopened.runs("Kept")) == 2
    reopened.close()
    _run_times(History(path), _flow("Kept"), 2)  # the policy is gone from the file: back to the defaults
    history = History(path)
    assert history.prune() == 0 and len(history.runs("Kept")) == 4
    history.close()


def test_keep_days_of_the_policy_overrides_the_default(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3", keep_days=30)
    history.retain("Week", Retention(keep_days=7))
    now = time.time()
    for name in ("Week", "Month"):
        _feed(history, f"{name}-old", name, now - 10 * 86400)
        _feed(history, f"{name}-new", name, now - 86400)
    history.flush()
    assert history.prune() == 1
    assert [r.run_id for r in history.runs("Week")] == ["Week-new"]
    assert [r.run_id for r in history.runs("Month")] == ["Month-new", "Month-old"]
    history.close()


def test_keep_runs_from_the_policy_keeps_more_than_the_default(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3", keep_runs=2)
    history.retain("Many", Retention(keep_runs=10))
    now = time.time()
    for i in range(6):
        _feed(history, f"m{i}", "Many", now - 60 + i)
        _feed(history, f"f{i}", "Few", now - 60 + i)
    history.flush()
    assert history.prune() == 4
    assert len(history.runs("Many")) == 6 and [r.run_id for r in history.runs("Few")] == ["f5", "f4"]
    history.close()
