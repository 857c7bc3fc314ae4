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
