"""docs/app.md, History: the history page of the real app (Xvfb, trayer, its own HOME) over a history of more runs
than one page holds: its workflow and status filters, its paging as you go down, and what a run shows when opened,
read back the way a person copies it (select the text, Ctrl+C) and compared with ``flowdeck history``.

The window sits at the top left at its default size (no window manager); the places below are those of
tests/e2e/test_app_history.py, and the opened run's text (its selected step) is at STEP_TEXT.
"""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.io import load_workflow
from engine.runtime import Engine
from engine.runtime.history import History
from tests.e2e.desktop import Desktop, started
from tests.e2e.test_app_history import FILTER, HISTORY_PAGE, click, row
from tests.support.faketime import FakeWallClock
from tests.support.product import Product
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

STATUS = (407, 41)
PERIOD = (540, 41)
STEP_TEXT = (760, 600)

FIRST = """flowdeck: 1
name: First
steps:
  hello:
    do: log
    with: {message: "the very first run"}
"""
GREETER = """flowdeck: 1
name: Greeter
steps:
  hello:
    do: log
    with: {message: "hi {{ run.id }}"}
"""
BREAKER = """flowdeck: 1
name: Breaker
steps:
  boom:
    do: fail
    with: {message: "broken {{ run.id }}"}
"""


def seed(product: Product) -> None:
    """221 real runs, oldest first: First (three days ago), then Greeter with every fifth a failing Breaker (more
    than a page of 200, and fewer than the 200 runs a workflow keeps)."""
    flows = {name: load_workflow(product.write(f"{name}.yaml", text)) for name, text in
             (("first", FIRST), ("greeter", GREETER), ("breaker", BREAKER))}  # fmt: skip
    # the very first run was three days ago: `flowdeck run` with its wall clock set back (libfaketime)
    clock = FakeWallClock(product.home.parent, datetime.now(UTC) - timedelta(days=3))
    done = product.run("run", str(product.workspace / "first.yaml"), env=clock.env())
    assert done.returncode == 0, done.stderr
    history = History(product.history_file)
    engine = Engine(workers=1, history=history)
    try:
        for i in range(220):
            engine.submit(flows["breaker" if i % 5 == 0 else "greeter"]).wait(60)
    finally:
        engine.shutdown(5)
        history.close()


def opened_text(app: Desktop) -> str:
    """The text of the opened run's selected step, copied as a person does."""
    click(app, STEP_TEXT)
    app.xdo("key", "ctrl+a")
    app.xdo("key", "ctrl+c")
    time.sleep(0.4)
    return app.clipboard()


def choose(app: Desktop, where: tuple[int, int], *keys: str) -> None:
    """Open the drop-down list at ``where`` and pick an entry with the arrow keys and Enter."""
    click(app, where)
    for key in (*keys, "Return"):
        app.xdo("key", key)
        time.sleep(0.3)


def first_row(app: Desktop) -> None:
    """Go up the table to its first (newest) run."""
    click(app, row(0))
    app.xdo("key", "ctrl+Home")
    time.sleep(0.4)


def last_row(app: Desktop) -> None:
    """Go down the table to its last run (Ctrl+End again until the rows stop coming: reaching the end loads the
    next page)."""
    click(app, row(0))
    for _ in range(3):
        app.xdo("key", "ctrl+End")
        time.sleep(0.6)


@pytest.mark.promise("app.md", "History")
def test_filters_paging_and_an_opened_run(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """The history is filterable by workflow, status and time (a run of three days ago is not in the last 24 hours,
    and is in the last 7 days); it reads a page of runs at a time as you scroll, down to the
    oldest; a run opened shows its steps with their inputs, output and log lines, and the error of a failed one."""
    seed(product)
    runs = product.history()
    assert len(runs) == 221 and runs[-1]["workflow"] == "First"
    breakers = [r["run_id"] for r in runs if r["workflow"] == "Breaker"]
    app = started(xdisplay, product)
    try:
        click(app, HISTORY_PAGE)  # once: the page bar is whole from the window's first paint
        newest, deadline = "", time.monotonic() + 15
        while not newest and time.monotonic() < deadline:  # as a person: click again until the row is there
            click(app, row(0))
            newest = opened_text(app)
        app.shot(tmp_path / "history.png")
        assert f"hi {runs[0]['run_id']}" in newest, newest
        for part in ("block: log", "inputs:", "output:", "logs:"):
            assert part in newest, newest
        click(app, row(next(i for i, r in enumerate(runs) if r["workflow"] == "Breaker")))
        failed = opened_text(app)
        assert f"error:\n  broken {breakers[0]}" in failed, failed
        last_row(app)  # 221 runs: the oldest is on the second page
        assert "the very first run" in opened_text(app)
        choose(app, FILTER, "Down")  # All workflows → Breaker (the names in order)
        first_row(app)
        assert f"broken {breakers[0]}" in opened_text(app)
        last_row(app)
        assert f"broken {breakers[-1]}" in opened_text(app), "the last row is the oldest Breaker run"
        choose(app, FILTER, "Up")  # back to All workflows
        choose(app, STATUS, "Down", "Down")  # Any status → Failed
        first_row(app)
        assert f"broken {breakers[0]}" in opened_text(app)
        last_row(app)
        assert f"broken {breakers[-1]}" in opened_text(app), "the oldest failed run is the oldest Breaker run"
        choose(app, STATUS, "Up", "Up")  # back to Any status
        choose(app, PERIOD, "Down", "Down")  # Any time → Last 24 hours: the run of three days ago is not listed
        app.shot(tmp_path / "last-24-hours.png")
        last_row(app)
        assert "the very first run" not in opened_text(app)
        choose(app, PERIOD, "Down")  # → Last 7 days: it is again, the oldest
        last_row(app)
        assert "the very first run" in opened_text(app)
    finally:
        app.stop()
