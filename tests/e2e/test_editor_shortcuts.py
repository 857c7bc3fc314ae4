"""docs/editor.md, Keyboard shortcuts: the file, run and delete keys of the editor of the real app (Xvfb, trayer,
its own HOME), and what a person then finds: the window's title, the files on disk, the runs in the history.

The places clicked are those of tests/e2e/test_editor_files.py and docs/images/editor.png (the default layout, no
window manager).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.e2e.test_editor_files import HAND, NAME, PAIR, click, editor
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

SHOW = (625, 227)  # the title bar of PAIR's second step on the canvas (its default place)


@pytest.mark.promise("editor.md", "Keyboard shortcuts")
def test_ctrl_r_runs_ctrl_shift_s_saves_as_and_ctrl_o_opens(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """Ctrl+R runs the workflow in the editor, Ctrl+Shift+S saves it as another file (the window then names it) and
    Ctrl+O opens a file."""
    path = product.write("hand.yaml", HAND)
    pair = product.write("pair.yaml", PAIR)
    copy = product.workspace / "copy.yaml"
    app, window = editor(xdisplay, product, path)
    try:
        app.keys(window, "ctrl+r")
        assert wait_until(lambda: product.history("Hand written")), "Ctrl+R ran it"
        assert product.history("Hand written")[0]["source"] == "editor"
        click(app, NAME)
        app.keys(window, "ctrl+a")
        app.type(window, "Copied flow")
        app.wait_title(window, "Flowdeck — hand.yaml*")
        app.keys(window, "ctrl+shift+s")
        app.wait_for(lambda: app.window_named("Save workflow") is not None, "the Save As dialog")
        dialog = app.window_named("Save workflow")
        app.keys(dialog, "ctrl+a")
        app.type(dialog, str(copy))
        time.sleep(0.3)
        app.keys(dialog, "Return")
        app.wait_title(window, "Flowdeck — copy.yaml")
        assert yaml.safe_load(copy.read_text())["name"] == "Copied flow"
        assert path.read_text() == HAND, "Save As leaves the first file as it was"
        app.keys(window, "ctrl+o")
        app.wait_for(lambda: app.window_named("Open workflow") is not None, "the Open dialog")
        dialog = app.window_named("Open workflow")
        app.keys(dialog, "ctrl+a")
        app.type(dialog, str(pair))
        time.sleep(0.3)
        app.keys(dialog, "Return")
        app.wait_title(window, "Flowdeck — pair.yaml")
    finally:
        app.stop()


@pytest.mark.promise("editor.md", "Keyboard shortcuts")
def test_backspace_deletes_the_selected_step(xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product) -> None:
    """Backspace deletes the selected step, as Delete does; saved, the file no longer has it."""
    path = product.write("pair.yaml", PAIR)
    app, window = editor(xdisplay, product, path)
    try:
        click(app, SHOW)
        app.keys(window, "BackSpace")
        app.wait_title(window, "Flowdeck — pair.yaml*")
        app.keys(window, "ctrl+s")
        app.wait_title(window, "Flowdeck — pair.yaml")
        assert list(yaml.safe_load(path.read_text())["steps"]) == ["fetch"], path.read_text()
    finally:
        app.stop()


@pytest.mark.promise("editor.md", "Files")
def test_open_recent_reopens_a_file_and_asks_before_unsaved_work_is_lost(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """File ▸ Open Recent lists the files opened, newest first, and opens the one chosen; when that would lose
    unsaved changes Flowdeck asks first, and Save (the default) saves them before the other file opens."""
    path = product.write("hand.yaml", HAND)
    pair = product.write("pair.yaml", PAIR)
    app, window = editor(xdisplay, product, path)
    try:
        app.keys(window, "ctrl+o")
        app.wait_for(lambda: app.window_named("Open workflow") is not None, "the Open dialog")
        dialog = app.window_named("Open workflow")
        app.keys(dialog, "ctrl+a")
        app.type(dialog, str(pair))
        time.sleep(0.3)
        app.keys(dialog, "Return")
        app.wait_title(window, "Flowdeck — pair.yaml")
        click(app, NAME)
        app.keys(window, "ctrl+a")
        app.type(window, "Pair renamed")
        app.wait_title(window, "Flowdeck — pair.yaml*")
        app.keys(window, "alt+f", "Down", "Down", "Right", "Down")  # File ▸ Open Recent ▸ the second: hand.yaml
        app.shot(tmp_path / "recent.png")
        app.keys(window, "Return")
        app.wait_for(lambda: app.window_named("Unsaved changes") is not None, "the unsaved changes question")
        app.press_in("Unsaved changes", "Return")
        app.wait_title(window, "Flowdeck — hand.yaml")
        assert yaml.safe_load(pair.read_text())["name"] == "Pair renamed", "Save saved the changes first"
    finally:
        app.stop()
