"""docs/app.md, Starting: one Flowdeck per person, a second launch handing over, a crash that leaves nothing in the
way, and --minimized that idles in the tray without a window. The real app on Xvfb with trayer, its own HOME."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import started
from tests.e2e.test_app_tray import HELLO
from tests.gui.shell.x11 import request_close
from tests.support.product import Product
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

HOURLY = """flowdeck: 1
name: Hourly {n}
triggers:
  - schedule: {{every: 1h}}
steps:
  note:
    do: log
    with: {{message: "{n}"}}
"""


@pytest.mark.promise("app.md", "Starting")
def test_one_flowdeck_per_person_and_flowdeck_open_hands_the_file_over(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """`flowdeck open FILE` opens a workflow in the editor; starting Flowdeck again (or `flowdeck open FILE`) hands
    the request to the one already running, which shows its window or opens the file, and the second launch exits
    at once; after a crash (kill -9) the next start is not in the way of the lock or the old socket."""
    first = product.write("hello.yaml", HELLO)
    second = product.write("again.yaml", HELLO.replace("name: Hello", "name: Again"))
    app = started(xdisplay, product, "open", str(first))
    try:
        window = app.main_window()
        app.wait_title(window, "Flowdeck — hello.yaml")
        request_close(xdisplay.display, window)  # to the tray
        app.wait_for(lambda: not app.viewable(window), "the window is hidden")
        again = app.launch()  # flowdeck, once more
        assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
        app.wait_for(lambda: app.viewable(window), "the running Flowdeck shows its window")
        handed = app.launch("open", str(second))
        assert (handed.returncode, handed.stderr) == (0, "")
        app.wait_title(window, "Flowdeck — again.yaml")
        assert app.main_windows() == [window], "one app, one window"
        app.shot(tmp_path / "opened-by-a-second-launch.png")
        app.proc.kill()  # a crash: the lock file and the socket stay behind
        app.proc.wait(10)
    finally:
        app.stop()
    after = started(xdisplay, product)
    try:
        assert after.log_text().count("started (window shown)") == 2
        handed = after.launch("open", str(first))
        assert handed.returncode == 0, handed.stderr
        after.wait_title(after.main_window(), "Flowdeck — hello.yaml")
    finally:
        after.stop()


@pytest.mark.promise("app.md", "Starting")
def test_minimized_idles_in_the_tray_and_makes_the_window_when_first_opened(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """--minimized starts in the tray without showing the window; the window is made only when it is first opened,
    so Flowdeck idles in the tray in less memory (with 100 armed workflows)."""
    for n in range(100):
        product.write(f"hourly-{n:03}.yaml", HOURLY.format(n=n))
    app = started(xdisplay, product, "--minimized", window=False)
    try:
        app.wait_log("started \\(in the tray\\)")
        assert app.main_windows() == [] and "window made" not in app.log_text()
        done = product.run("status", "--json")
        assert done.returncode == 0, done.stderr
        time.sleep(2)  # let the start settle before measuring
        in_tray = app.rss_mb()
        app.tray_menu("o")  # Open Flowdeck
        window = app.main_window()
        app.wait_for(lambda: app.viewable(window), "the window is shown")
        app.wait_log("window made")
        time.sleep(2)
        with_window = app.rss_mb()
        print(f"resident memory: {in_tray:.0f} MB in the tray, {with_window:.0f} MB with the window")
        assert in_tray < with_window
        status = json.loads(done.stdout)
        assert status["run_by"] and status["run_by"]["pid"] == app.proc.pid, "the app in the tray runs the workspace"
        armed = [w for w in status["workflows"] if w["state"] == "enabled" and w["next_run"]]
        assert len(armed) == 100
    finally:
        app.stop()
