"""The versions database: numbering, deduplication, retention, and the version a run names in the history."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from engine.runtime.history import History
from engine.versions import KEEP_DAYS, KEEP_LATEST, VersionStore, record_file
from engine.versions.store import SUMMARY_NOW_BYTES

ONE = "flowdeck: 1\nname: W\nsteps:\n  a: {do: log, with: {message: one}}\n"
TWO = "flowdeck: 1\nname: W\nsteps:\n  a: {do: log, with: {message: two}}\n"


def test_versions_are_numbered_per_file_and_the_same_content_is_not_kept_twice(tmp_path: Path) -> None:
    store = VersionStore(tmp_path / "versions.sqlite3")
    w, other = tmp_path / "w.yaml", tmp_path / "other.yaml"
    assert store.record(w, ONE, "app").number == 1
    assert store.record(w, ONE, "app").number == 1  # same content: no new version
    second = store.record(w, TWO, "app")
    assert (second.number, second.summary) == (2, "changed a (with.message)")
    back = store.record(w, ONE, "app")
    assert (back.number, back.summary) == (3, "back to v1")
    assert store.record(other, ONE, "run").number == 1
    assert [v.number for v in store.versions(w)] == [3, 2, 1]
    assert store.text(store.get(w, 2)) == TWO
    with sqlite3.connect(store.path) as db:  # two contents for four versions
        assert db.execute("SELECT count(*) FROM contents").fetchone()[0] == 2


def test_retention_keeps_the_last_days_and_the_newest_versions(tmp_path: Path) -> None:
    store = VersionStore(tmp_path / "versions.sqlite3")
    w = tmp_path / "w.yaml"
    old = time.time() - (KEEP_DAYS + 1) * 86400
    for i in range(KEEP_LATEST + 5):  # all older than KEEP_DAYS: only the newest KEEP_LATEST stay
        store.record(w, f"name: W\nsteps:\n  a{i}: {{do: log}}\n", "app", when=old + i)
    numbers = [v.number for v in store.versions(w)]
    assert len(numbers) == KEEP_LATEST and numbers[0] == KEEP_LATEST + 5 and numbers[-1] == 6
    store.record(w, "name: W\nsteps: {}\n", "app")  # a recent one: the oldest old one goes, numbers never reused
    assert [v.number for v in store.versions(w)][:2] == [KEEP_LATEST + 6, KEEP_LATEST + 5]
    assert store.get(w, 6) is None and store.get(w, 7) is not None
    with sqlite3.connect(store.path) as db:  # contents no version names are gone too
        assert db.execute("SELECT count(*) FROM contents").fetchone()[0] == KEEP_LATEST


def test_a_big_file_gets_its_summary_when_listed(tmp_path: Path) -> None:
    store = VersionStore(tmp_path / "versions.sqlite3")
    w = tmp_path / "w.yaml"
    padding = "x-notes: '" + "n" * (SUMMARY_NOW_BYTES + 10) + "'\n"
    store.record(w, ONE + padding, "app")
    assert store.record(w, TWO + padding, "app").summary == ""  # not worked out on the save's path
    assert [v.summary for v in store.versions(w)] == ["changed a (with.message)", "added a (log)"]
    with sqlite3.connect(store.path) as db:  # and kept
        assert db.execute("SELECT count(*) FROM versions WHERE summary = ''").fetchone()[0] == 0


def test_record_file_never_raises(tmp_path: Path) -> None:
    store = VersionStore(tmp_path / "versions.sqlite3")
    assert record_file(tmp_path / "missing.yaml", "app", store) is None
    (tmp_path / "w.yaml").write_text(ONE)
    assert record_file(tmp_path / "w.yaml", "app", store).number == 1  # type: ignore[union-attr]


def test_a_damaged_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "versions.sqlite3"
    path.write_bytes(b"not sqlite at all" * 100)
    store = VersionStore(path)
    assert store.record(tmp_path / "w.yaml", ONE, "app").number == 1
    assert list(tmp_path.glob("versions.sqlite3.corrupt-*"))


def test_each_run_names_the_version_of_its_file(tmp_path: Path) -> None:
    w = tmp_path / "w.yaml"
    w.write_text(ONE)
    history = History(tmp_path / "history.sqlite3")
    history.begin("r1", "W", path=str(w))
    w.write_text(TWO + "# edited in another editor\n")
    history.begin("r2", "W", path=str(w))
    history.begin("r3", "W", path=str(w))
    history.begin("r4", "W")  # no file: no version
    history.flush()
    assert [history.run(r).version for r in ("r1", "r2", "r3", "r4")] == [1, 2, 2, None]  # type: ignore[union-attr]
    history.close()
    kept = VersionStore(tmp_path / "versions.sqlite3").versions(w)
    assert [(v.number, v.source) for v in kept] == [(2, "run"), (1, "run")]


def test_an_older_history_file_gets_the_version_column(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as db:  # the runs table as Flowdeck 0.1 wrote it
        db.execute(
            "CREATE TABLE runs (run_id TEXT PRIMARY KEY, workflow TEXT NOT NULL, path TEXT, trigger TEXT, source TEXT,"
            " status TEXT NOT NULL, started REAL, finished REAL, error TEXT, outputs TEXT, pid INTEGER)"
        )
        db.execute("INSERT INTO runs VALUES ('old', 'W', '', '{}', 'cli', 'succeeded', 1, 2, NULL, '{}', 1)")
    history = History(path)
    w = tmp_path / "w.yaml"
    w.write_text(ONE)
    history.begin("new", "W", path=str(w))
    history.flush()
    assert history.run("old").version is None  # type: ignore[union-attr]
    assert history.run("new").version == 1  # type: ignore[union-attr]
    history.close()
