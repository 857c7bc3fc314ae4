"""History.record_skipped on a real SQLite file: a row per reason, coalesced within SKIP_COALESCE, pruned like runs."""

from __future__ import annotations

import time
from pathlib import Path

from engine.runtime import history as history_mod
from engine.runtime.history import History

REASON = "overlap: skip — its previous run was still going"


def test_same_reason_within_the_window_is_one_row_with_a_count(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    now = time.time()
    first = history.record_skipped("W", "/w.yaml", {"kind": "watch"}, REASON, when=now)
    again = history.record_skipped("W", "/w.yaml", {"kind": "watch"}, REASON, when=now + 30)
    other = history.record_skipped("W", "/w.yaml", {"kind": "watch"}, "paused — triggers were paused", when=now + 31)
    later = history.record_skipped("W", "/w.yaml", {"kind": "watch"}, REASON, when=now + 30 + 61)
    history.flush()
    assert first == again and len({first, other, later}) == 3
    rows = {r.run_id: r for r in history.runs(status="skipped")}
    assert rows[first].error["count"] == 2 and rows[first].started == now
    assert rows[first].error["message"].startswith(REASON + " (2 fires, the last at ")
    assert rows[later].error == {"message": REASON, "kind": "skipped", "count": 1, "last": now + 91}
    assert history.run(first).steps == []
    history.close()


def test_skipped_rows_are_pruned_like_runs(tmp_path: Path, monkeypatch) -> None:
    history = History(tmp_path / "h.sqlite3", keep_runs=3)
    now = time.time()
    for i in range(5):  # five different reasons: five rows
        history.record_skipped("W", None, {"kind": "schedule"}, f"{REASON} {i}", when=now + i)
    history.flush()
    assert history.prune() == 2
    assert [r.error["message"] for r in history.runs()] == [f"{REASON} {i}" for i in (4, 3, 2)]
    monkeypatch.setattr(history_mod.time, "time", lambda: now + 40 * 86400)  # older than keep_days (30)
    assert history.prune() == 3
    history.close()
