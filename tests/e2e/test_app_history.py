"""docs/app.md, History: the history page of the real app (Xvfb, trayer, its own HOME), used with the mouse, and what
the history then holds (``flowdeck history``) and what the runs did (their files).

The window sits at the top left at its default size (no window manager): the table's first row is at y=90 and the
next 26 pixels lower, Re-run at (1031, 418), the workflow filter at (247, 41) and Clear history… at (1010, 41).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop, started
from tests.e2e.test_app_tray import FAILS
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

HISTORY_PAGE = (40, 100)
RERUN = (1031, 418)
FILTER = (247, 41)
CLEAR = (1010, 41)


def row(n: int) -> tuple[int, int]:
    return 300, 90 + 26 * n


def click(app: Desktop, where: tuple[int, int]) -> None:
    app.xdo("mousemove", str(where[0]), str(where[1]), "click", "1")
    time.sleep(0.4)


def watcher(inbox: Path, out: Path) -> str:
    """A workflow that writes down the name of every file that appears in ``inbox``."""
    return f"""flowdeck: 1
name: Watcher
triggers:
  - watch: {{path: "{inbox}", events: [created]}}
steps:
  note:
    do: file.write
    with: {{path: "{out}", content: "{{{{ trigger.name }}}}", append: true, newline: true}}
"""


@pytest.mark.promise("app.md", "History")
def test_rerun_uses_the_same_trigger_data_and_clear_deletes_the_chosen_workflows_runs(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """The history lists all runs newest first; Re-run runs the selected run's workflow again with the same trigger
    data; Clear history deletes the runs of the workflow chosen in the filter and keeps the others."""
    inbox = product.home / "inbox"
    inbox.mkdir()
    out = tmp_path / "seen.txt"
    product.write("watch.yaml", watcher(inbox, out))
    product.write("fails.yaml", FAILS)
    app = started(xdisplay, product)
    try:
        (inbox / "report.pdf").write_text("pdf")
        assert wait_until(lambda: out.exists() and out.read_text() == "report.pdf\n"), "the watch fired"
        app.tray_menu("r", "Return")  # Run ▸ Always fails
        app.wait_log("run finished: Always fails failed")
        click(app, HISTORY_PAGE)
        click(app, row(1))  # the older run: Watcher (newest first)
        app.shot(tmp_path / "history.png")
        click(app, RERUN)
        assert wait_until(lambda: out.read_text() == "report.pdf\nreport.pdf\n"), out.read_text()
        again, first = product.history("Watcher")
        assert again["source"] == "rerun" and again["trigger"] == first["trigger"]
        assert first["trigger"]["name"] == "report.pdf"
        click(app, FILTER)
        for key in ("Down", "Return"):  # All workflows → Always fails
            app.xdo("key", key)
            time.sleep(0.3)
        click(app, CLEAR)
        app.press_in("Clear history", "alt+y")
        assert wait_until(lambda: product.history("Always fails") == []), "its runs are deleted"
        assert len(product.history("Watcher")) == 2, "the other workflow's runs stay"
    finally:
        app.stop()
