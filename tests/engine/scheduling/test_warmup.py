"""Run processes made ready before a cluster of fires (engine.scheduling.warmup), with the real service."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.scheduling.warmup import LEAD, LONGEST_SLEEP, WINDOW, Warmup
from tests.engine.scheduling.helpers import service, wait_for

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def test_it_sleeps_until_shortly_before_the_next_fire() -> None:
    asked: list[int] = []
    warmup = Warmup(lambda: [(at(60), 5)], asked.append)
    assert warmup.step(NOW) == 60 - LEAD and asked == []


def test_a_cluster_within_the_window_is_warmed_for_all_its_runs() -> None:
    asked: list[int] = []
    warmup = Warmup(lambda: [(at(1), 3), (at(1.5), 2), (at(1 + WINDOW + 0.5), 7)], asked.append)
    assert warmup.step(NOW) == 1 + WINDOW  # next look: after this cluster
    assert asked == [5]


def test_a_single_fire_needs_only_the_spare_and_nothing_due_means_a_long_sleep() -> None:
    asked: list[int] = []
    assert Warmup(lambda: [(at(1), 1), (at(30), 4)], asked.append).step(NOW) == 1 + WINDOW
    assert Warmup(lambda: [], asked.append).step(NOW) == LONGEST_SLEEP
    assert asked == []


def test_the_service_has_processes_ready_before_workflows_fire_together(tmp_path: Path) -> None:
    svc = service(tmp_path)
    due = datetime.now().astimezone() + timedelta(seconds=LEAD + 2.5)
    for i in range(3):
        (svc.workspace / f"w{i}.yaml").write_text(
            f'flowdeck: 1\nname: w{i}\ntriggers:\n  - schedule: {{at: "{due.isoformat()}"}}\n'
            "steps:\n  a: {do: log, with: {message: hi}}\n",
            encoding="utf-8",
        )
    svc.start()
    try:
        assert wait_for(lambda: len(svc.engine.worker_pids()) == 1, timeout=5)  # the spare
        time.sleep(1.0)
        assert len(svc.engine.worker_pids()) == 1  # more than LEAD ahead: nothing yet
        before = due.timestamp() - 0.2
        assert wait_for(lambda: len(svc.engine.worker_pids()) == 3, timeout=LEAD + 1)
        assert time.time() < before  # ready before the fire, not made by it
    finally:
        svc.stop(grace=2)


def test_the_versions_database_is_open_before_workflows_fire_together(tmp_path: Path) -> None:
    """The first fire of a file names its version in the history: the store it needs is opened at the warm-up,
    not on the path that starts the fires."""
    from engine.runtime import Engine
    from engine.runtime.history import History
    from engine.versions.store import FILE_NAME

    history = History(tmp_path / "history.sqlite3")
    svc = service(tmp_path, engine=Engine(workers=2, history=history, isolation="process"))
    due = datetime.now().astimezone() + timedelta(seconds=LEAD + 1.5)
    for i in range(2):
        (svc.workspace / f"w{i}.yaml").write_text(
            f'flowdeck: 1\nname: w{i}\ntriggers:\n  - schedule: {{at: "{due.isoformat()}"}}\n'
            "steps:\n  a: {do: log, with: {message: hi}}\n",
            encoding="utf-8",
        )
    versions = tmp_path / FILE_NAME
    svc.start()
    try:
        assert not versions.exists()  # nothing has needed it yet
        assert wait_for(versions.exists, timeout=LEAD + 1)
        assert time.time() < due.timestamp() - 0.2  # opened before the fire, not by it
        assert wait_for(lambda: len([r for r in history.runs(limit=10) if r.version == 1]) == 2, timeout=10)
    finally:
        svc.stop(grace=2)
        history.close()
