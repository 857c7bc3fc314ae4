"""Runs cut short by a killed daemon: every run that did something has its history row, and the next open marks it
interrupted, also when the daemon is PID 1 of a container and the restarted one is PID 1 again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.product import Daemon, Product, wait_until

FIRST_STEP_WRITES = """flowdeck: 1
name: Writes first
triggers:
  - startup: {{}}
steps:
  write:
    do: file.write
    with: {{path: "{out}/{{{{ run.id }}}}.txt", content: "ran"}}
    next: linger
  linger:
    do: wait
    with: {{duration: 30s}}
"""


def _written(out: Path) -> set[str]:
    return {p.stem for p in out.glob("*.txt")}


@pytest.mark.promise("runtime.md", "Run history")
def test_a_daemon_killed_right_after_a_run_starts_leaves_the_run_recorded(product: Product, tmp_path: Path) -> None:
    """A run's row is committed before its first step executes: the daemon SIGKILLed at any moment after a run
    starts (20 times, at different moments) leaves no written file without its run, and the next open marks those
    runs interrupted."""
    out = tmp_path / "out"
    product.write("writes.yaml", FIRST_STEP_WRITES.format(out=out))
    for attempt in range(20):
        with product.daemon() as daemon:
            seen = len(_written(out))
            if attempt % 2:  # at once when the run's file appears
                wait_until(lambda seen=seen: len(_written(out)) > seen, 20, 0.001)
            else:  # a moment after the service started: before, during or after the first step
                daemon.wait_log("watching", 20)
                time.sleep(0.005 * attempt)
            daemon.kill()
    time.sleep(0.5)  # a worker told to go just before the kill may still write its file
    files = _written(out)
    assert len(files) >= 10, "most kills came after the first step ran"
    runs = {r["run_id"]: r for r in product.history()}
    assert files <= set(runs), f"written but not recorded: {sorted(files - set(runs))}"
    assert {runs[run_id]["status"] for run_id in files} == {"interrupted"}
    steps = product.history_rows("SELECT status FROM steps WHERE step = 'linger'")
    assert {s["status"] for s in steps} <= {"interrupted"}


def _pid1_daemon(product: Product, name: str) -> Daemon:
    """``flowdeck daemon`` as PID 1 of a new PID namespace (as in a container)."""
    log = product.home.parent / f"{name}.stderr"
    with log.open("w") as err:
        proc = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc", *product.command("daemon", "--port", "0")],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=product.env,
            cwd=str(product.home),
        )
    return Daemon(proc, log)


def _pid_one(unshare: subprocess.Popen) -> int:
    """The host's pid of the namespace's PID 1 (the child of ``unshare``)."""
    children = Path(f"/proc/{unshare.pid}/task/{unshare.pid}/children")
    found = wait_until(lambda: children.read_text().split(), 10)
    assert found, "unshare started no process"
    return int(found[0])


@pytest.mark.promise("runtime.md", "Run history")
def test_a_restarted_pid_1_daemon_marks_the_runs_of_the_killed_one_interrupted(
    product: Product, tmp_path: Path
) -> None:
    """A process is known by its pid, boot and start time: the daemon as PID 1, killed and started again as PID 1,
    is not taken for the owner of the runs it left, which become interrupted."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed: no PID namespace to run the daemon as PID 1")
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a PID namespace here: {probe.stderr.strip()}")
    out = tmp_path / "out"
    product.write("writes.yaml", FIRST_STEP_WRITES.format(out=out))
    first = _pid1_daemon(product, "first")
    try:
        assert wait_until(lambda: _written(out), 30), first.log
        rows = wait_until(lambda: product.history_rows("SELECT run_id, status, pid FROM runs"), 10)
        assert [(r["status"], r["pid"]) for r in rows] == [("running", 1)]
        os.kill(_pid_one(first.proc), signal.SIGKILL)  # PID 1 dies, and its whole namespace with it
        first.proc.wait(10)
        second = _pid1_daemon(product, "second")
        try:
            assert second.wait_log("watching", 30), second.log
            assert wait_until(lambda: len(_written(out)) == 2, 30)
            statuses = {r["run_id"]: r["status"] for r in product.history_rows("SELECT run_id, status FROM runs")}
            assert statuses[rows[0]["run_id"]] == "interrupted", "marked by the second daemon, PID 1 as well"
        finally:
            os.kill(_pid_one(second.proc), signal.SIGTERM)  # unshare does not pass signals on
            assert second.proc.wait(30) == 0, second.log
    finally:
        first.kill()
