"""docs/editor.md, Building a workflow and Keyboard shortcuts: wiring with the mouse, renaming with F2 and the usual
keys in the real app (Xvfb, trayer, its own HOME), and the file Save then writes.

Two steps opened from a file without wires sit one above the other: ``fetch`` with its title at (530, 148), its
``next`` dot at (627, 193) and its ``error`` dot at (627, 211); ``show`` with its title at (530, 289).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.e2e.desktop import Desktop
from tests.e2e.test_editor_files import CANVAS, click, editor
from tests.support.product import Product
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

LOOSE = """flowdeck: 1
name: Loose
steps:
  fetch:
    do: log
    with: {message: a}
  show:
    do: log
    with: {message: "got {{ steps.fetch.message }}"}
"""
FETCH, FETCH_NEXT, FETCH_ERROR, SHOW = (530, 148), (627, 193), (627, 211), (530, 300)
WIRE = (531, 241)  # a point of the wire fetch → show, between the two steps


def drag(app: Desktop, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Press the left button at ``start``, move in steps to ``end``, let go (as a hand drags)."""
    app.xdo("mousemove", str(start[0]), str(start[1]))
    app.xdo("mousedown", "1")
    for i in range(1, 5):
        x = start[0] + (end[0] - start[0]) * i // 4
        y = start[1] + (end[1] - start[1]) * i // 4
        app.xdo("mousemove", str(x), str(y))
        time.sleep(0.1)
    app.xdo("mouseup", "1")
    time.sleep(0.4)


def saved_steps(app: Desktop, window: int, path: Path) -> dict:
    app.keys(window, "ctrl+s")
    app.wait_title(window, f"Flowdeck — {path.name}")
    return yaml.safe_load(path.read_text())["steps"]


@pytest.mark.promise("editor.md", "Building a workflow")
def test_wires_error_routes_removing_a_wire_and_renaming_with_f2(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Dragging from an output dot onto a step connects them; dragging from the red error output makes an error
    route; a wire clicked and deleted is gone; a step cannot lead to itself (refused, nothing changes); F2 renames a
    step and the wires and {{ steps.<id> }} expressions follow."""
    path = product.write("loose.yaml", LOOSE)
    app, window = editor(xdisplay, product, path)
    try:
        drag(app, FETCH_NEXT, FETCH)  # onto itself
        app.shot(tmp_path / "refused.png")
        assert app.title(window) == "Flowdeck — loose.yaml", "a wire to itself is refused"
        drag(app, FETCH_NEXT, SHOW)
        assert saved_steps(app, window, path)["fetch"]["next"] == "show"
        click(app, WIRE)
        app.keys(window, "Delete")
        assert "next" not in saved_steps(app, window, path)["fetch"]
        drag(app, FETCH_ERROR, SHOW)
        app.shot(tmp_path / "error-route.png")
        assert saved_steps(app, window, path)["fetch"]["on_error"] == "show"
        drag(app, FETCH_NEXT, SHOW)
        click(app, FETCH)
        app.keys(window, "F2")
        app.wait_for(lambda: app.window_named("Rename step") is not None, "F2 asks for the new id")
        app.press_in("Rename step", "ctrl+a")
        app.xdo("type", "source")
        app.xdo("key", "Return")
        steps = saved_steps(app, window, path)
        assert sorted(steps) == ["show", "source"]
        assert steps["source"]["next"] == "show"
        assert steps["show"]["with"]["message"] == "got {{ steps.source.message }}"
    finally:
        app.stop()


@pytest.mark.promise("editor.md", "Keyboard shortcuts")
def test_the_keyboard_shortcuts_of_the_canvas(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """Ctrl+A selects all, Ctrl+D duplicates, Ctrl+X cuts (to the clipboard), Delete deletes, Ctrl+Z undoes and
    Ctrl+Y redoes, Ctrl+S saves, Ctrl+N starts a new workflow."""
    path = product.write("loose.yaml", LOOSE)
    app, window = editor(xdisplay, product, path)
    try:
        click(app, FETCH)
        app.keys(window, "Delete")
        assert sorted(saved_steps(app, window, path)) == ["show"]
        app.keys(window, "ctrl+z")
        assert sorted(saved_steps(app, window, path)) == ["fetch", "show"]
        app.keys(window, "ctrl+y")
        assert sorted(saved_steps(app, window, path)) == ["show"]
        app.keys(window, "ctrl+z")
        click(app, CANVAS)
        app.keys(window, "ctrl+a", "ctrl+d")  # on X11 desktops Ctrl+D is also a standard key of Delete
        four = ["fetch", "fetch_2", "show", "show_2"]
        assert sorted(saved_steps(app, window, path)) == four
        click(app, CANVAS)
        app.keys(window, "ctrl+a", "ctrl+x")
        assert sorted(yaml.safe_load(app.clipboard())["steps"]) == four
        app.keys(window, "ctrl+z")
        assert sorted(saved_steps(app, window, path)) == four
        app.keys(window, "ctrl+n")
        app.wait_title(window, "Flowdeck — Untitled workflow")
    finally:
        app.stop()
