"""VersionStore.for_runs: the versions of runs starting together, new ones kept in one transaction, their summaries
worked out when listed; the numbers are the ones for_run would give."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.runtime.history import History
from engine.versions import VersionStore

ONE = "flowdeck: 1\nname: W\nsteps:\n  a: {do: log, with: {message: one}}\n"
TWO = "flowdeck: 1\nname: W\nsteps:\n  a: {do: log, with: {message: two}}\n"


def test_new_files_get_a_version_each_and_known_ones_keep_theirs(tmp_path: Path) -> None:
    store = VersionStore(tmp_path / "versions.sqlite3")
    a, b, gone = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "gone.yaml"
    a.write_text(ONE)
    b.write_text(ONE)
    assert store.for_run(str(a)) == 1
    a.write_text(TWO)  # changed since: a second version
    assert store.for_runs([str(a), str(b), str(gone), str(b)]) == [2, 1, None, 1]
    assert store.for_runs([str(a), str(b)]) == [2, 1]  # unchanged: nothing new
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT file, number, source FROM versions ORDER BY file, number").fetchall() == [
            (str(a), 1, "run"), (str(a), 2, "run"), (str(b), 1, "run")]  # fmt: skip
    with sqlite3.connect(store.path) as db:  # kept without a summary: for_runs parses no YAML
        assert db.execute("SELECT summary FROM versions WHERE file = ?", (str(b),)).fetchone() == ("",)
    assert [v.summary for v in store.versions(a)] == ["changed a (with.message)", "added a (log)"]
    assert [v.summary for v in store.versions(b)] == ["added a (log)"]  # worked out when listed
    store.close()


def test_history_rows_begun_together_name_their_versions(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")
    files = [tmp_path / f"w{i}.yaml" for i in range(5)]
    for f in files:
        f.write_text(ONE)
    history.prepare()
    history.begin_many([(f"r{i}", f"w{i}", str(f), {"kind": "schedule"}, "schedule") for i, f in enumerate(files)])
    history.begin_many([("r9", "w9", "", {"kind": "schedule"}, "schedule")])  # no file: no version, still a row
    with sqlite3.connect(history.path) as db:
        rows = db.execute("SELECT run_id, version FROM runs ORDER BY run_id").fetchall()
    assert rows == [*((f"r{i}", 1) for i in range(5)), ("r9", None)]
    history.close()
