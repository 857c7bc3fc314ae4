"""The saved-values database (engine.runtime.state.StateDB): real SQLite, real processes, real crashes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.errors import StepError
from engine.runtime.state import StateDB
from tests.support.privileges import without_root_powers
from tests.support.product import REPO, wait_until

WF = "/work/flows/counter.yaml"  # an identity: any resolved path names a workflow


def test_values_round_trip_and_are_listed(tmp_path: Path) -> None:
    db = StateDB(tmp_path / "state.sqlite3")
    store = db.store(WF, "Counter")
    assert store.get("missing", "none") == "none"
    assert (db.entries(), db.workflows_named("Counter"), db.clear(WF)) == ([], [], 0)
    assert not db.path.exists()  # reading (and clearing nothing) creates nothing
    store.set("seen", {"title": "v1", "tags": ["a", "ü"]})
    assert store.increment("n", 2) == (0, 2)
    assert store.increment("n", 0.5) == (2, 2.5)
    assert store.increment("n", reset=True) == (2.5, 0)
    again = StateDB(db.path).store(WF, "Counter")  # another connection sees the same values
    assert again.get("seen") == {"title": "v1", "tags": ["a", "ü"]}
    assert [(e.workflow, e.path, e.key) for e in db.entries()] == [("Counter", WF, "n"), ("Counter", WF, "seen")]
    assert db.workflows_named("Counter") == [WF]
    assert db.clear(WF, "n") == 1
    store.delete("seen")
    assert db.entries() == []
    child = store.sibling("/work/flows/child.yaml", "Child")  # for a workflow.run child: its own values
    child.set("k", 1)
    assert (store.get("k"), StateDB(db.path).store("/work/flows/child.yaml", "Child").get("k")) == (None, 1)


def test_bad_values_fail_with_one_line(tmp_path: Path) -> None:
    store = StateDB(tmp_path / "state.sqlite3").store(WF, "Counter")
    with pytest.raises(StepError, match=r"^the value for 'when' cannot be saved: .*not JSON serializable"):
        store.set("when", object())
    store.set("name", "text")
    with pytest.raises(StepError, match=r"^the saved value 'name' is 'text', not a number; it cannot be counted$"):
        store.increment("name")
    assert store.get("name") == "text"  # the failed count changed nothing


INCREMENTS = """
    import sys
    from engine.runtime.state import StateDB
    print("ready", flush=True)
    for line in sys.stdin:  # one database path per round; all processes start it together
        store = StateDB(line.strip()).store("{wf}", "Counter")
        for _ in range(int(sys.argv[1])):
            store.increment("n")
        print("done", flush=True)
"""


@pytest.mark.parametrize(("processes", "each", "rounds"), [(2, 100, 1), (4, 5, 60)])
def test_processes_incrementing_at_once_lose_no_count(tmp_path: Path, processes: int, each: int, rounds: int) -> None:
    """Also when they all create a new database at the same moment (where SQLite says "locked" without waiting;
    before the retry, about one test run in two lost a process to it)."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(INCREMENTS.format(wf=WF)), str(each)],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()  # type: ignore[union-attr]
        for round_ in range(rounds):
            path = tmp_path / f"state-{round_}.sqlite3"
            for child in children:
                child.stdin.write(f"{path}\n")  # type: ignore[union-attr]
                child.stdin.flush()  # type: ignore[union-attr]
            for child in children:
                assert child.stdout.readline().strip() == "done", child.stderr.read()  # type: ignore[union-attr]
            assert StateDB(path).store(WF, "Counter").get("n") == processes * each
    finally:
        for child in children:
            child.stdin.close()  # type: ignore[union-attr]
            child.wait(30)


WRITER = """
    import sys
    from engine.runtime.state import StateDB
    store = StateDB(sys.argv[1]).store("{wf}", "Counter")
    i = 0
    while True:
        i += 1
        store.set("blob", {{"i": i, "data": "x" * 200_000}})
        store.increment("n")
"""


def test_sigkill_in_the_middle_of_writes_leaves_whole_values(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WRITER.format(wf=WF)), str(path)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stderr=subprocess.PIPE,
    )
    reader = StateDB(path).store(WF, "Counter")
    try:
        assert wait_until(lambda: (reader.get("n") or 0) >= 30, timeout=30), child.stderr.read()  # type: ignore[union-attr]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    after = StateDB(path).store(WF, "Counter")
    blob, n = after.get("blob"), after.get("n")
    assert len(blob["data"]) == 200_000  # never half a value
    assert blob["i"] - n in (0, 1)  # each change is whole: the blob of round i, the count of round i or i - 1


SET = """
    import signal, sys
    from engine.errors import StepError
    from engine.runtime.state import StateDB
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the file size limit a write fails (as on a full disk)
    try:
        StateDB(sys.argv[1]).store("{wf}", "Counter").set("seen", "x" * 200_000)
    except StepError as exc:
        print(exc)
"""


def _set_in_child(path: Path, limit: object) -> str:
    """What a process that saves a value under ``limit`` (a preexec function) reports."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SET.format(wf=WF)), str(path)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,  # type: ignore[arg-type]
    )
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout.strip()


def test_read_only_folder_fails_the_change_with_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o555)
    path = folder / "flowdeck" / "state.sqlite3"
    try:
        message = _set_in_child(path, without_root_powers)
    finally:
        folder.chmod(0o755)
    assert message == f"state: could not save 'seen' in {path}: Permission denied (the folder is read-only)"


def test_read_only_database_fails_the_change_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "data" / "state.sqlite3"
    StateDB(path).store(WF, "Counter").set("before", 1)
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        message = _set_in_child(path, without_root_powers)
    finally:
        path.parent.chmod(0o755)
    assert message == (
        f"state: could not save 'seen' in {path}: attempt to write a readonly database "
        "(the file or its folder is read-only)"
    )


def test_full_disk_fails_the_change_with_one_line(tmp_path: Path) -> None:
    import resource

    path = tmp_path / "state.sqlite3"
    StateDB(path).store(WF, "Counter").set("before", 1)  # the database exists; the big value does not fit

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    message = _set_in_child(path, small_disk)
    assert message == f"state: could not save 'seen' in {path}: disk I/O error (is the disk full?)"
    after = StateDB(path).store(WF, "Counter")
    assert (after.get("before"), after.get("seen")) == (1, None)  # the failed change left the rest as it was


def test_damaged_file_fails_with_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"not sqlite at all, just text " * 100)
    with pytest.raises(StepError) as caught:
        StateDB(path).store(WF, "Counter").increment("runs")
    assert str(caught.value) == (
        f"state: could not count 'runs' in {path}: file is not a database "
        "(the file is damaged; move it away to start with no saved values)"
    )


COUNTING = """flowdeck: 1
name: Parallel counter
policy: {overlap: parallel}
steps:
  count:
    do: for_each
    with: {items: "{{ range(25) | list }}"}
    next: {body: add}
  add:
    do: state.increment
    with: {key: n}
"""


def test_runs_in_run_processes_count_without_losing_a_count(tmp_path: Path) -> None:
    """Runs in worker processes (the daemon, the app) that count the same key at once lose no count: the increment
    is one transaction in the engine's process, not a read there and a write later."""
    from engine.io import read_file
    from engine.runtime import Engine

    flow = tmp_path / "counter.yaml"
    flow.write_text(COUNTING, encoding="utf-8")
    workflow, problems = read_file(flow)
    assert workflow is not None, problems
    engine = Engine(workers=4, isolation="process", state=StateDB(tmp_path / "state.sqlite3"))
    try:
        handles = [engine.submit(workflow) for _ in range(8)]
        assert [h.wait(120).status for h in handles] == ["succeeded"] * 8
    finally:
        engine.shutdown(1)
    assert StateDB(tmp_path / "state.sqlite3").store(str(flow.resolve()), "Parallel counter").get("n") == 200
