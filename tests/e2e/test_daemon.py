"""``flowdeck daemon`` as a person runs it on a server: it notices files added, changed and broken without a restart,
and SIGTERM stops it with code 0, cancelling what is still running after the grace, with its log in daemon.log."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.support.flows import tick
from tests.support.product import Product, wait_until

LONG = """flowdeck: 1
name: Long
triggers:
  - startup: {}
steps:
  nap: {do: wait, with: {duration: 60s}}
"""


def _statuses(product: Product) -> list[str]:
    """The statuses of the recorded runs; none while the daemon is still creating the history database."""
    try:
        return [r["status"] for r in product.history_rows()]
    except sqlite3.OperationalError:
        return []


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.mark.promise("triggers.md", "The workspace folder")
def test_files_added_changed_and_broken_are_noticed_without_a_restart(product: Product) -> None:
    """A file added while the daemon runs is armed; an edit is re-armed with the new content; a file that stops
    validating is disarmed (its error logged with file:line:col, shown by `flowdeck status`) and stale logic never
    runs."""
    marks = product.home / "marks.txt"
    with product.daemon() as daemon:
        assert daemon.wait_log("watching"), daemon.log
        flow = product.write("tick.yaml", tick(marks, "one"))
        assert wait_until(lambda: "one" in _lines(marks), 20), daemon.log
        flow.write_text(tick(marks, "two"), encoding="utf-8")
        assert wait_until(lambda: _lines(marks)[-1:] == ["two"], 20), daemon.log
        flow.write_text(tick(marks, "three").replace("do: file.write", "do: file.wirte"))
        assert daemon.wait_log("tick.yaml does not validate; its triggers are disarmed"), daemon.log
        assert "tick.yaml:7:5: steps.mark.do: unknown block 'file.wirte'" in daemon.log
        time.sleep(1.5)  # a run that had started with the old version ends
        count = len(_lines(marks))
        time.sleep(2.5)
        assert len(_lines(marks)) == count and "three" not in _lines(marks)
        status = product.run("status").stdout
        assert "tick.yaml  [invalid]  tick" in status and "unknown block 'file.wirte'" in status


@pytest.mark.promise("triggers.md", "flowdeck daemon")
def test_sigterm_stops_the_daemon_with_code_0_and_cancels_after_the_grace(product: Product) -> None:
    """SIGTERM stops the daemon: a run still going gets `--grace` seconds, is then cancelled and recorded as
    `cancelled`, the daemon exits with code 0, and its log is also in daemon.log in the user log folder."""
    product.write("long.yaml", LONG)
    with product.daemon("--grace", "1") as daemon:
        assert wait_until(lambda: _statuses(product) == ["running"], 20), daemon.log
        started = time.monotonic()
        assert daemon.stop(signal.SIGTERM) == 0, daemon.log
        assert time.monotonic() - started < 1 + 1 + 1.5 + 5  # grace, the process ended a second later, slack
    assert [(r["workflow"], r["status"]) for r in product.history_rows()] == [("Long", "cancelled")]
    log = product.daemon_log_file.read_text(encoding="utf-8")
    assert "stopping: running runs get 1.0 s to finish" in log
    assert "stopped in" in log


@pytest.mark.promise("triggers.md", "flowdeck daemon")
def test_a_named_folder_that_does_not_exist_is_refused(product: Product) -> None:
    """`flowdeck daemon DIR` on a folder that does not exist says so in one line and exits with code 1; without DIR
    the default workspace is made when it is missing."""
    missing = product.home / "flows"
    with product.daemon(str(missing)) as daemon:
        assert daemon.proc.wait(30) == 1
    assert f"flowdeck daemon: {missing}: no such folder" in daemon.log
    assert "Traceback" not in daemon.log and not missing.exists()
    product.workspace.rmdir()
    with product.daemon() as daemon:
        assert daemon.wait_log("watching"), daemon.log
        assert product.workspace.is_dir()
