"""The history's writer commits a burst in parts of about WRITE_PART rows (a run's begin waits for one part, not the
whole burst): every run of a burst bigger than that is written whole, its steps with it."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from engine.runtime import events as ev
from engine.runtime.history import WRITE_PART, History


def test_a_burst_larger_than_a_part_is_written_whole(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")
    runs = WRITE_PART * 3 // 2  # with a step each: three parts
    try:
        burst: list[ev.Event] = []
        for i in range(runs):
            run_id, now = f"r{i:04d}", time.time()
            history.begin(run_id, "burst", trigger={"kind": "webhook"}, source="webhook")
            burst += [
                ev.Event(ev.RUN_STARTED, run_id, "burst", None, {"trigger": {}, "source": "webhook"}, now),
                ev.Event(ev.STEP_STARTED, run_id, "burst", "a", {"block": "log", "inputs": {}}, now),
                ev.Event(ev.STEP_FINISHED, run_id, "burst", "a", {"status": "succeeded", "output": i}, now),
                ev.Event(ev.RUN_FINISHED, run_id, "burst", None, {"status": "succeeded", "outputs": {}}, now),
            ]
        history.listen_batch(burst)
        history.flush()
    finally:
        history.close()
    with sqlite3.connect(tmp_path / "history.sqlite3") as db:
        statuses = db.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall()
        steps = db.execute("SELECT count(*) FROM steps WHERE status = 'succeeded'").fetchone()[0]
    assert statuses == [("succeeded", runs)]
    assert steps == runs
