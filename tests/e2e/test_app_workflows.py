"""docs/app.md, Workflows (the start page): the page of the real app (Xvfb, trayer, its own HOME), used with the mouse,
and what a person then finds: runs in the history, schedules that stop and start again, the editor's title, a new
file in the workspace, the banner's effect when a daemon runs the workspace.

The window sits at the top left at its default size (no window manager), so the rows are at fixed places: the
first row at y=95 and the next 38 pixels lower, with the switch at x=121 and Run now, Open, History at 858, 942, 1026.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop, started
from tests.e2e.test_app_tray import HELLO, lines, ticker
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

SWITCH, RUN_NOW, OPEN = 121, 858, 942
TEMPLATE = (1005, 41)  # New from Template…
BROKEN = """flowdeck: 1
name: Broken one
steps:
  first:
    do: no.such.block
"""


def row(n: int) -> int:
    return 95 + 38 * n


def click(app: Desktop, x: int, y: int) -> None:
    app.xdo("mousemove", str(x), str(y), "click", "1")
    time.sleep(0.4)


def state_of(product: Product, name: str) -> str:
    done = product.run("status", "--json")
    return next(w["state"] for w in json.loads(done.stdout)["workflows"] if w["name"] == name)


@pytest.mark.promise("app.md", "Workflows (the start page)")
def test_the_switch_run_now_open_and_a_workflow_with_problems(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Per workflow, the switch turns its triggers off and on (it can still be run by hand), Run now runs it, Open
    opens it in the editor; a workflow with problems cannot be run until it is fixed."""
    out = tmp_path / "ticks.txt"
    product.write("broken.yaml", BROKEN)  # rows by name: Broken one, Hello, Ticker
    product.write("hello.yaml", HELLO)
    product.write("ticker.yaml", ticker(out))
    app = started(xdisplay, product)
    try:
        window = app.main_window()
        assert wait_until(lambda: lines(out) >= 1), "the schedule fires"
        app.shot(tmp_path / "workflows.png")
        click(app, SWITCH, row(2))  # Ticker off
        app.wait_log("disabled .*ticker.yaml")
        settled = lines(out)
        assert not wait_until(lambda: lines(out) > settled + 1, timeout=3), "no fires while switched off"
        assert state_of(product, "Ticker") == "disabled"
        click(app, RUN_NOW, row(2))  # still runs by hand
        assert wait_until(lambda: lines(out) == settled + 1) or lines(out) == settled + 1
        click(app, SWITCH, row(2))  # on again
        app.wait_log("enabled .*ticker.yaml")
        assert wait_until(lambda: lines(out) >= settled + 3), "the schedule fires again"
        click(app, RUN_NOW, row(1))  # Hello
        app.wait_log("run finished: Hello succeeded")
        click(app, RUN_NOW, row(0))  # Broken one: its button is disabled
        time.sleep(1)
        assert product.history("Broken one") == [] and "Broken one" not in app.log_text().split("run finished")[-1]
        click(app, OPEN, row(1))
        app.wait_title(window, "Flowdeck — hello.yaml")
    finally:
        app.stop()


@pytest.mark.promise("app.md", "Workflows (the start page)")
def test_new_from_template_copies_an_example_under_a_free_name_and_opens_it(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """New from Template… opens a picker; Cancel copies nothing; Create copies the template picked into the workspace
    under a name not yet taken and opens it."""
    app = started(xdisplay, product)
    try:
        window = app.main_window()
        app.wait_for(lambda: app.title(window).startswith("Flowdeck"), "the window is there")
        click(app, *TEMPLATE)
        app.wait_for(lambda: app.window_named("New from Template") is not None, "the template picker opens")
        app.press_in("New from Template", "Escape")
        app.wait_for(lambda: app.window_named("New from Template") is None, "Cancel (Escape) closes the picker")
        assert not list(product.workspace.glob("*.yaml")), "cancelled: nothing copied"
        for made in (1, 2):
            if made == 2:
                click(app, 40, 50)  # back to the Workflows page (its button in the bar on the left)
            click(app, *TEMPLATE)
            app.wait_for(lambda: app.window_named("New from Template") is not None, "the template picker opens")
            app.press_in("New from Template", "Return")  # Create: the first template, already picked
            app.wait_for(lambda n=made: len(list(product.workspace.glob("*.yaml"))) == n, f"{made} file(s) made")
        first, second = sorted(product.workspace.glob("*.yaml"), key=lambda p: p.stat().st_mtime)
        assert first.read_text() == second.read_text() and first.name != second.name
        app.wait_title(window, f"Flowdeck — {second.name}")
        assert product.run("validate", str(second)).returncode == 0
    finally:
        app.stop()


@pytest.mark.promise("app.md", "Workflows (the start page)")
def test_a_workspace_run_by_the_daemon_is_taken_over_when_it_stops(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """When flowdeck daemon already runs the workspace the app does not arm it and offers Take over when it stops;
    pressed, once the daemon has gone the app arms the workspace; a daemon started while the app runs it exits and
    names the app."""
    out = tmp_path / "ticks.txt"
    product.write("ticker.yaml", ticker(out))
    with product.daemon() as daemon:
        assert wait_until(lambda: lines(out) >= 1), "the daemon runs the workspace"
        app = Desktop(xdisplay, product)
        try:
            app.main_window()
            app.wait_log("started \\(window shown\\)")
            app.wait_log("is run by flowdeck daemon")
            time.sleep(1)
            app.shot(tmp_path / "banner.png")
            click(app, *BANNER_BUTTON)
            app.wait_log("waiting to take over")
            assert daemon.stop() == 0
            app.wait_log("took over the workspace")
            settled = lines(out)
            assert wait_until(lambda: lines(out) >= settled + 2), "the app runs the schedule now"
            second = product.run("daemon", "--port", "0", timeout=30)
            assert second.returncode == 1
            assert "Flowdeck app" in second.stderr or "flowdeck app" in second.stderr.lower(), second.stderr
        finally:
            app.stop()


BANNER_BUTTON = (980, 75)


@pytest.mark.promise("app.md", "Workflows (the start page)")
def test_a_removed_workspace_disarms_its_workflows_until_it_comes_back(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """If the workspace folder is removed while the app runs, its workflows are disarmed until it comes back, and
    the page says so instead of listing no workflows."""
    out = tmp_path / "ticks.txt"
    text = ticker(out)
    product.write("ticker.yaml", text)
    app = started(xdisplay, product)
    try:
        assert wait_until(lambda: lines(out) >= 1), "the schedule fires"
        shutil.rmtree(product.workspace)
        app.wait_log("was removed; its workflows are disarmed until it comes back")
        settled = lines(out)
        assert not wait_until(lambda: lines(out) > settled + 1, timeout=3), "no fires while the folder is gone"
        app.shot(tmp_path / "workspace-removed.png")
        product.workspace.mkdir()
        product.write("ticker.yaml", text)
        app.wait_log("is back; its workflows are armed again")
        assert wait_until(lambda: lines(out) >= settled + 3), "armed again"
    finally:
        app.stop()


def ink(shot: Path, box: tuple[int, int, int, int]) -> int:
    """How many pixels in ``box`` (x, y, w, h) of a screenshot differ from the page's background: text shown there."""
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    x0, y0, w, h = box
    background = image.pixelColor(x0, y0)
    return sum(image.pixelColor(x, y) != background for x in range(x0, x0 + w) for y in range(y0, y0 + h))


@pytest.mark.promise("app.md", "Workflows (the start page)")
def test_a_removed_workspace_is_not_shown_as_an_empty_one(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """A removed workspace folder is told as removed instead of listing no workflows: the page does not invite to
    create workflows in a folder that is not there."""
    product.write("hello.yaml", HELLO)
    app = started(xdisplay, product)
    try:
        app.main_window()
        shutil.rmtree(product.workspace)
        app.wait_log("was removed; its workflows are disarmed until it comes back")
        time.sleep(1)
        shot = app.shot(tmp_path / "workspace-removed.png")
        assert ink(shot, (100, 120, 960, 530)) == 0, "the page under the message lists or says nothing"
    finally:
        app.stop()
