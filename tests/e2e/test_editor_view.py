"""docs/editor.md, Building a workflow and Running: Tidy Up, zoom and the run badges on the canvas of the real app
(Xvfb, trayer, its own HOME), checked as a person sees them: the layout in the file saved afterwards, and the
colours on the screen (a block's category colour grows with the zoom; a finished step gets a green or red badge).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.e2e.desktop import Desktop
from tests.e2e.test_editor_files import CANVAS, click, editor
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

# Three steps that run write → check → stop, laid out backwards and on top of each other.
TANGLED = """flowdeck: 1
name: Tangled
steps:
  write:
    do: file.write
    with: {{path: "{out}", content: done}}
    next: check
  check:
    do: log
    with: {{message: written}}
    next: stop
  stop:
    do: fail
    with: {{message: on purpose}}
layout:
  write: [480, 40]
  check: [240, 60]
  stop: [0, 20]
"""
VIEW = (320, 60, 425, 375)  # the canvas at the window's default size (x, y, width, height)
FILES = {"files": (0xD0, 0x8A, 0x2E)}  # the Files & folders category colour (gui/canvas/style.py)
BADGES = {"ok": (0x1E, 0x9E, 0x5A), "failed": (0xD9, 0x30, 0x25)}  # the light theme's badge colours


def _save(app: Desktop, window: int, path: Path) -> dict:
    app.keys(window, "ctrl+s")
    app.wait_title(window, f"Flowdeck — {path.name}")
    return yaml.safe_load(path.read_text())


@pytest.mark.promise("editor.md", "Building a workflow")
def test_tidy_up_lays_the_steps_out_in_run_order_and_zoom_scales_them(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """View ▸ Tidy Up (Ctrl+Shift+L) puts the steps in columns in the order they run (the saved layout has write,
    check, stop from left to right); Ctrl++ zooms in (a block's colour covers more of the screen), Ctrl+- out, and
    Ctrl+0 fits them all in view again."""
    path = product.write("tangled.yaml", TANGLED.format(out=product.home / "out.txt"))
    app, window = editor(xdisplay, product, path)
    try:
        click(app, CANVAS)
        app.keys(window, "ctrl+shift+l")
        layout = _save(app, window, path)["layout"]
        xs = {step: layout[step][0] for step in ("write", "check", "stop")}
        assert xs["write"] < xs["check"] < xs["stop"], layout
        app.keys(window, "ctrl+0")
        time.sleep(0.5)
        fitted = app.colours(VIEW, FILES)["files"]
        app.keys(window, "ctrl+plus", "ctrl+plus")
        time.sleep(0.5)
        app.shot(tmp_path / "zoomed-in.png")
        zoomed = app.colours(VIEW, FILES)["files"]
        app.keys(window, "ctrl+minus", "ctrl+minus", "ctrl+minus", "ctrl+minus")
        time.sleep(0.5)
        out = app.colours(VIEW, FILES)["files"]
        assert 0 < out < fitted < zoomed, (out, fitted, zoomed)
    finally:
        app.stop()


@pytest.mark.promise("editor.md", "Running")
def test_finished_steps_get_a_green_or_red_badge(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Run (F5) marks each finished step on the canvas: a green ✓ badge on the steps that succeeded, a red ✗ on the
    one that failed; before the run there is neither (the red of the error outputs is there before and after)."""
    out = product.home / "out.txt"
    path = product.write("tangled.yaml", TANGLED.format(out=out))
    app, window = editor(xdisplay, product, path)
    try:
        before = app.colours(VIEW, BADGES)
        app.keys(window, "F5")
        assert wait_until(out.exists, 30)
        app.wait_for(lambda: app.colours(VIEW, BADGES)["failed"] > before["failed"] + 20, "a red badge is shown")
        app.shot(tmp_path / "badges.png")
        after = app.colours(VIEW, BADGES)
        assert before["ok"] == 0, before
        assert after["ok"] > 40, after  # two green badges
    finally:
        app.stop()
