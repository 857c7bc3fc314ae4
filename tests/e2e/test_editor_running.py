"""docs/editor.md, Running: a run from the editor of the real app (Xvfb, trayer, its own HOME) and what its Run panel
shows, read back the way a person copies it (select the text, Ctrl+C).

The places clicked are those of tests/e2e/test_editor_files.py (the default layout, no window manager); the Run
panel's log is at RUN_LOG.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop
from tests.e2e.test_editor_files import PAIR, click, editor
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

RUN_LOG = (150, 600)
STEP_ROWS = {"fetch": (460, 557), "show": (460, 581)}  # the Run panel's step table
INPUTS, OUTPUT, COPY = (763, 567), (827, 567), (1047, 538)  # the step's data: its tabs and Copy


def copied(app: Desktop, *where: tuple[int, int]) -> str:
    """Click ``where`` one after another (the last one a Copy), and what the clipboard then holds."""
    for place in where:
        click(app, place)
    time.sleep(0.3)
    return app.clipboard()


@pytest.mark.promise("editor.md", "Running")
def test_the_run_panel_shows_the_log_of_a_run(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """The Run panel shows the log of a run started with F5 (each step's lines, how long it took, the end) and each
    step's inputs and output."""
    path = product.write("pair.yaml", PAIR)
    app, window = editor(xdisplay, product, path)
    try:
        app.keys(window, "F5")
        assert wait_until(lambda: product.history("Pair") and product.history("Pair")[0]["status"] == "succeeded")
        time.sleep(0.5)
        app.shot(tmp_path / "ran.png")
        click(app, RUN_LOG)
        app.keys(window, "ctrl+a", "ctrl+c")
        time.sleep(0.3)
        log = app.clipboard()
        for line in ("Run started (editor)", "fetch a", "show got a", "Run succeeded in"):
            assert line in log, log
        assert '"message": "got a"' in copied(app, STEP_ROWS["show"], OUTPUT, COPY)
        fetch_inputs = copied(app, STEP_ROWS["fetch"], INPUTS, COPY)
        assert '"message": "a"' in fetch_inputs, fetch_inputs
    finally:
        app.stop()
