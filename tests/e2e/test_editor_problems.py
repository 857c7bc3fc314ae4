"""docs/editor.md: files with mistakes, asking before unsaved work is lost, and the remembered window, in the real app
(Xvfb, trayer, its own HOME)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import started
from tests.e2e.test_editor_files import HAND, NAME, click, editor
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

NOT_YAML = "flowdeck: 1\nname: Broken\nsteps: [unclosed\n"
MISTAKES = """flowdeck: 1
name: With mistakes
steps:
  first:
    do: no.such.block
    next: nowhere
"""


PROBLEMS_LIST = (82, 498, 1000, 150)  # the Problems panel's list (x, y, w, h), shown when a file has errors


def red_lines(shot: Path, box: tuple[int, int, int, int]) -> int:
    """How many lines of red text (problems are written in red) the box of a screenshot shows."""
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    x0, y0, w, h = box

    def red(x: int, y: int) -> bool:
        c = image.pixelColor(x, y)
        return c.red() > 150 and c.green() < 110 and c.blue() < 110

    rows = [any(red(x, y) for x in range(x0, x0 + w, 2)) for y in range(y0, y0 + h)]
    return sum(1 for i, on in enumerate(rows) if on and (i == 0 or not rows[i - 1]))


@pytest.mark.promise("editor.md", "Files")
@pytest.mark.promise("editor.md", "Running")
def test_mistakes_open_errors_are_not_run_and_unsaved_work_is_asked_about(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """A hand-written file with mistakes still opens (its problems listed, the steps outlined in red), and a
    workflow with errors is not run; a file that is not YAML at all is not opened and the message says so; Flowdeck
    asks before opening another file would lose unsaved changes, and Cancel keeps them."""
    mistakes = product.write("mistakes.yaml", MISTAKES)
    broken = product.write("broken.yaml", NOT_YAML)
    hand = product.write("hand.yaml", HAND)
    app, window = editor(xdisplay, product, mistakes)
    try:
        app.keys(window, "F5")
        time.sleep(2)
        app.shot(tmp_path / "mistakes.png")
        assert product.history() == [], "a workflow with errors is not run"
        assert app.launch("open", str(broken)).returncode == 0
        app.wait_for(lambda: app.window_named("Cannot open") is not None, "the file that is not YAML is explained")
        app.shot(tmp_path / "not-yaml.png")
        app.press_in("Cannot open", "Return")
        app.wait_for(lambda: app.window_named("Cannot open") is None, "the message is closed")
        assert app.title(window) == "Flowdeck — mistakes.yaml", "the document open stays"
        shot = app.shot(tmp_path / "after-cannot-open.png")
        assert red_lines(shot, PROBLEMS_LIST) == 2, "the Problems panel still lists the open file's two problems"
        app.wait_log(f"could not open {broken}")
        click(app, NAME)
        app.type(window, " (edited)")
        app.wait_title(window, "Flowdeck — mistakes.yaml*")
        assert app.launch("open", str(hand)).returncode == 0
        app.wait_for(lambda: app.window_named("Unsaved changes") is not None, "Flowdeck asks about the changes")
        app.press_in("Unsaved changes", "Escape")  # Cancel
        app.wait_for(lambda: app.window_named("Unsaved changes") is None, "the question is closed")
        assert app.title(window) == "Flowdeck — mistakes.yaml*", "the unsaved changes stay"
        assert mistakes.read_text() == MISTAKES
    finally:
        app.stop()


@pytest.mark.promise("editor.md", "The editor")
def test_the_window_size_is_remembered(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Flowdeck remembers the window's size (and the panel layout) from one start to the next."""
    app = started(xdisplay, product)
    try:
        window = app.main_window()
        app.xdo("windowsize", "--sync", str(window), "900", "600")
        app.wait_for(lambda: app.geometry(window) == (900, 600), "the window is 900x600")
        assert app.quit() == 0
    finally:
        app.stop()
    again = started(xdisplay, product)
    try:
        window = again.main_window()
        assert wait_until(lambda: again.geometry(window) == (900, 600), timeout=5), again.geometry(window)
    finally:
        again.stop()


BLOCKS_TITLE = (84, 58, 44, 14)  # where the Blocks panel's title is written, top left under the toolbar


def dark_pixels(shot: Path, box: tuple[int, int, int, int]) -> int:
    """How many pixels of ``box`` are dark (text on the light theme)."""
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    x0, y0, w, h = box
    return sum(image.pixelColor(x, y).lightness() < 100 for x in range(x0, x0 + w) for y in range(y0, y0 + h))


@pytest.mark.promise("editor.md", "The editor")
def test_a_closed_panel_stays_closed_and_view_panels_brings_it_back(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Every panel can be closed and View ▸ Panels brings it back; Flowdeck remembers the panel layout."""
    path = product.write("hand.yaml", HAND)
    app, window = editor(xdisplay, product, path)
    try:
        assert dark_pixels(app.shot(tmp_path / "with-blocks.png"), BLOCKS_TITLE) > 20, "the Blocks panel is shown"
        click(app, (299, 65))  # the Blocks panel's close button
        assert wait_until(lambda: dark_pixels(app.shot(tmp_path / "closed.png"), BLOCKS_TITLE) == 0, timeout=5)
        assert app.quit() == 0
    finally:
        app.stop()
    app, window = editor(xdisplay, product, path)
    try:
        time.sleep(1)
        (dx, dy), (x, y, w, h) = app.origin(window), BLOCKS_TITLE  # the window may be placed elsewhere now
        title = (x + dx, y + dy, w, h)
        assert dark_pixels(app.shot(tmp_path / "restarted.png"), title) == 0, "it stays closed"
        app.keys(window, "alt+v", "p", "Return")  # View ▸ Panels ▸ Blocks
        assert wait_until(lambda: dark_pixels(app.shot(tmp_path / "back.png"), title) > 20, timeout=5)
    finally:
        app.stop()
