"""Fires due in the same second start in one go (engine.scheduling.fires, Runner.together): each runs once, and
each run's history row is there, finished, with the moment it was due."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from engine.runtime import Engine
from engine.runtime.history import History
from tests.engine.scheduling.helpers import lines, service, wait_for

FLOW = """flowdeck: 1
name: w{i}
triggers:
  - schedule: {{at: "{at}"}}
policy: {{overlap: parallel}}
steps:
  mark:
    do: file.write
    with: {{path: "{marks}", content: "w{i}", append: true, newline: true}}
"""


def test_thirty_fires_in_one_second_each_run_once_with_a_finished_row(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")
    svc = service(tmp_path, engine=Engine(workers=4, history=history, isolation="process"))
    marks = tmp_path / "marks.txt"
    due = (datetime.now().astimezone() + timedelta(seconds=3)).replace(microsecond=0)
    for i in range(30):
        at = (due + timedelta(milliseconds=10 * i)).isoformat()
        (svc.workspace / f"w{i:02d}.yaml").write_text(FLOW.format(i=i, at=at, marks=marks))
    svc.start()
    try:
        assert wait_for(lambda: len(lines(marks)) >= 30, timeout=20)
    finally:
        svc.stop(grace=5)
    assert sorted(lines(marks)) == sorted(f"w{i}" for i in range(30))
    runs = [r for r in history.runs(limit=100) if r.source == "schedule"]
    assert sorted(r.workflow for r in runs) == sorted(f"w{i}" for i in range(30))
    assert {r.status for r in runs} == {"succeeded"}
    assert all(datetime.fromisoformat(r.trigger["scheduled"]) >= due for r in runs)
    history.close()


def test_the_warm_up_knows_the_versions_of_the_files_due_before_they_fire(tmp_path: Path) -> None:
    """Two seconds before a cluster of fires, the versions of their files are kept (their first fires then only
    look whether each changed since); each run's row names that version."""
    import sqlite3

    from engine.versions.store import FILE_NAME

    history = History(tmp_path / "history.sqlite3")
    svc = service(tmp_path, engine=Engine(workers=2, history=history, isolation="process"))
    marks = tmp_path / "marks.txt"
    due = (datetime.now().astimezone() + timedelta(seconds=4)).replace(microsecond=0)
    files = [svc.workspace / f"w{i}.yaml" for i in range(5)]
    for i, path in enumerate(files):
        path.write_text(FLOW.format(i=i, at=due.isoformat(), marks=marks))
    versions = tmp_path / FILE_NAME

    def kept() -> set[str]:
        if not versions.exists():
            return set()
        with sqlite3.connect(versions) as db:
            return {row[0] for row in db.execute("SELECT file FROM versions")}

    svc.start()
    try:
        assert wait_for(lambda: kept() == {str(p) for p in files}, timeout=10)
        assert not lines(marks)  # known before any of them fired
        assert wait_for(lambda: len(lines(marks)) >= 5, timeout=20)
    finally:
        svc.stop(grace=5)
    runs = [r for r in history.runs(limit=100) if r.source == "schedule"]
    assert sorted((r.workflow, r.version) for r in runs) == [(f"w{i}", 1) for i in range(5)]
