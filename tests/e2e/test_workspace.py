"""The workspace folder as the daemon sees it: a file removed stops firing; the whole folder removed disarms
everything (one line says so) until it comes back, and then it fires again."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.support.flows import tick
from tests.support.product import Product, wait_until

QUIET = 3.0  # seconds without a fire that show a schedule is disarmed (an every: 1s would have fired 3 times)


def _count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def _quiet_for(marks: Path, seconds: float) -> tuple[int, int]:
    """The number of lines before and after ``seconds`` of waiting (a run started just before may still write)."""
    time.sleep(1.5)  # a run that had started when the trigger went away ends and writes its line
    before = _count(marks)
    time.sleep(seconds)
    return before, _count(marks)


@pytest.mark.promise("triggers.md", "The workspace folder")
def test_a_file_removed_from_the_workspace_stops_firing(product: Product) -> None:
    """A workflow file removed from the workspace is disarmed: its schedule fires no more."""
    marks = product.home / "marks.txt"
    flow = product.write("tick.yaml", tick(marks))
    with product.daemon() as daemon:
        assert wait_until(lambda: _count(marks) >= 2, 20), daemon.log
        flow.unlink()
        assert daemon.wait_log("tick.yaml left the workspace; its triggers are disarmed"), daemon.log
        before, after = _quiet_for(marks, QUIET)
        assert after == before, f"{after - before} fires after the file was removed"
        assert daemon.proc.poll() is None


@pytest.mark.promise("triggers.md", "The workspace folder")
def test_a_removed_workspace_disarms_everything_until_it_comes_back(product: Product) -> None:
    """The workspace folder removed while the daemon runs: one line says so, nothing of it fires; made again
    (with its files), it is noticed within a few seconds and its workflows fire again."""
    marks = product.home / "marks.txt"
    product.write("tick.yaml", tick(marks))
    with product.daemon() as daemon:
        assert wait_until(lambda: _count(marks) >= 2, 20), daemon.log
        shutil.rmtree(product.workspace)
        removed = "the workspace ~/Documents/Flowdeck was removed; its workflows are disarmed until it comes back"
        assert daemon.wait_log(removed, 10), daemon.log
        before, after = _quiet_for(marks, QUIET)
        assert after == before, f"{after - before} fires after the workspace was removed"
        product.write("tick.yaml", tick(marks))
        assert daemon.wait_log("the workspace ~/Documents/Flowdeck is back; its workflows are armed again", 10)
        assert wait_until(lambda: _count(marks) >= after + 2, 20), daemon.log
        assert daemon.proc.poll() is None
        assert "Traceback" not in daemon.log
        assert daemon.log.count(removed) == 1
