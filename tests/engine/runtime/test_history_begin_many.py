"""History.begin_many: the rows of runs beginning together are committed in one go when it returns (read back by
another connection, as after a kill), and the engine's own begin of such a run later adds nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.runtime.history import History


def _rows(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT run_id, workflow, status FROM runs ORDER BY run_id").fetchall()


def test_rows_are_committed_when_it_returns_and_a_later_begin_adds_none(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")
    try:
        runs = [(f"r{i:02d}", f"w{i}", "", {"kind": "schedule", "at": "08:00"}, "schedule") for i in range(20)]
        history.begin_many(runs)
        assert _rows(history.path) == [(f"r{i:02d}", f"w{i}", "running") for i in range(20)]
        history.begin("r03", "w3", trigger={"kind": "schedule"}, source="schedule")
        history.flush()
        assert len(_rows(history.path)) == 20
        assert history.run("r03").trigger == {"kind": "schedule", "at": "08:00"}  # the first begin's row stays
    finally:
        history.close()
