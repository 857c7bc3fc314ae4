"""docs/debugging.md, In the editor: the real app (Xvfb, trayer, its own HOME) paused at a breakpoint set from a
step's right-click menu, and continued with F5; what a person checks is the paused step's colour on the canvas and
the file the workflow writes.

The places are those of the default layout (tests/e2e/test_editor_files.py); the three steps sit in a row at the
zoom the editor opens them with.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop
from tests.e2e.test_editor_files import editor
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

FLOW = """flowdeck: 1
name: Debug in the app
vars: {{out: {out}}}
steps:
  fetch:
    do: log
    with: {{message: total 12}}
    next: save
  save:
    do: file.write
    with: {{path: "{{{{ vars.out }}}}", content: "{{{{ steps.fetch.message }}}}"}}
    next: done
  done:
    do: log
    with: {{message: finished}}
layout:
  fetch: [0, 0]
  save: [240, 0]
  done: [480, 0]
"""
SAVE_STEP = (532, 250)  # the middle of the step 'save' on the screen
CANVAS_AREA = (340, 215, 390, 70)  # x, y, w, h around the three steps
PAUSED = {"paused": (0x8E, 0x44, 0xAD)}  # gui/canvas/debugmarks.py, light theme


def paused_pixels(app: Desktop) -> int:
    return app.colours(CANVAS_AREA, PAUSED)["paused"]


@pytest.mark.promise("debugging.md", "In the editor")
def test_a_breakpoint_from_the_step_menu_pauses_the_run_and_f5_continues(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Toggle Breakpoint in a step's right-click menu, then F5: the run stops before that step, which is outlined
    in violet on the canvas, and nothing it would do has happened yet; F5 again continues the run to its end."""
    out = tmp_path / "saved.txt"
    path = product.write("debug.yaml", FLOW.format(out=json.dumps(str(out))))
    app, window = editor(xdisplay, product, path)
    try:
        time.sleep(1)
        assert paused_pixels(app) == 0
        app.xdo("mousemove", str(SAVE_STEP[0]), str(SAVE_STEP[1]), "click", "3")
        time.sleep(0.8)
        app.xdo("key", "b")  # Toggle &Breakpoint
        time.sleep(0.5)
        app.keys(window, "F5")
        assert wait_until(lambda: paused_pixels(app) > 40, timeout=20), "the paused step is outlined"
        time.sleep(1)
        assert not out.exists(), "paused before the step that writes"
        assert product.history("Debug in the app")[0]["status"] == "running"
        app.shot(tmp_path / "paused.png")
        app.keys(window, "F5")  # continue
        assert wait_until(lambda: out.exists() and out.read_text() == "total 12", timeout=20)
        assert wait_until(lambda: product.history("Debug in the app")[0]["status"] == "succeeded")
        assert wait_until(lambda: paused_pixels(app) == 0, timeout=10), "no step is marked paused any more"
    finally:
        app.stop()


FETCH_STEP = (405, 250)  # the middle of the step 'fetch'


def menu(app: Desktop, where: tuple[int, int], *keys: str) -> None:
    """Right-click ``where`` and press ``keys`` in the menu that opens (its underlined letters)."""
    app.xdo("mousemove", str(where[0]), str(where[1]), "click", "3")
    time.sleep(0.8)
    for key in keys:
        app.xdo("key", key)
        time.sleep(0.4)


@pytest.mark.promise("debugging.md", "In the editor")
def test_pin_from_the_step_menu_is_the_clis_pin_and_run_from_here_reuses_the_last_run(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Pin Output ▸ From the Last Run in a step's menu pins its output of the last run, beside the workflow file where
    `flowdeck pin` lists it; Run From Here on a later step runs from there, the steps before it not run again."""
    out = tmp_path / "saved.txt"
    path = product.write("debug.yaml", FLOW.format(out=json.dumps(str(out))))
    app, window = editor(xdisplay, product, path)
    try:
        time.sleep(1)
        app.keys(window, "F5")
        assert wait_until(lambda: product.history("Debug in the app") and out.exists())
        first = product.history("Debug in the app")[0]["run_id"]
        menu(app, FETCH_STEP, "p", "l")  # &Pin Output ▸ From the &Last Run
        listed = product.run("pin", str(path))
        assert listed.returncode == 0 and listed.stdout.startswith(f"fetch  (from run {first})"), listed.stdout
        assert (path.parent / ".flowdeck" / "pins" / "debug.yaml.json").exists()
        out.unlink()
        menu(app, SAVE_STEP, "f")  # Run &From Here
        assert wait_until(lambda: out.exists() and len(product.history("Debug in the app")) == 2)
        assert out.read_text() == "total 12"
        run = product.run("history", "--json", "--run", product.history("Debug in the app")[0]["run_id"])
        steps = [s["step"] for s in json.loads(run.stdout)["steps"]]
        assert steps == ["save", "done"], "fetch was not run again (nor pinned: the run started at save)"
    finally:
        app.stop()


@pytest.mark.promise("debugging.md", "Pinned outputs")
def test_a_pin_follows_its_step_renamed_in_the_editor(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """A step pinned with `flowdeck pin`, renamed in the editor with F2: the app's run uses the pin at once, and once
    saved, `flowdeck pin` lists it under the new id and `flowdeck run --pins` uses it."""
    out = tmp_path / "saved.txt"
    path = product.write("debug.yaml", FLOW.format(out=json.dumps(str(out))))
    pinned = product.run("pin", str(path), "fetch", "--value", "{message: pinned}")
    assert pinned.returncode == 0, pinned.stderr
    app, window = editor(xdisplay, product, path)
    try:
        time.sleep(1)
        app.xdo("mousemove", str(FETCH_STEP[0]), str(FETCH_STEP[1]), "click", "1")
        time.sleep(0.4)
        app.keys(window, "F2")
        time.sleep(0.8)
        app.xdo("key", "ctrl+a")
        app.xdo("type", "--delay", "40", "load")
        app.xdo("key", "Return")
        time.sleep(0.6)
        app.keys(window, "F5")
        assert wait_until(lambda: out.exists() and product.history("Debug in the app"))
        assert out.read_text() == "pinned", "the renamed step's pin stood in for it"
        app.keys(window, "ctrl+s")
        assert wait_until(lambda: "load:" in path.read_text())
        listed = product.run("pin", str(path))
        assert listed.returncode == 0 and listed.stdout.startswith("load  ("), listed.stdout
        assert "fetch" not in listed.stdout, listed.stdout
        out.unlink()
        ran = product.run("run", str(path), "--pins")
        assert ran.returncode == 0 and out.read_text() == "pinned", ran.stdout + ran.stderr
    finally:
        app.stop()
