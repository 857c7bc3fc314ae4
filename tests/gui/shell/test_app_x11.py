"""Flowdeck living in a real tray: Xvfb + trayer, the app as a real process, driven with xdotool.

The tray menu is opened with a real right click on the embedded XEmbed icon and its entries are chosen with
their keyboard mnemonics (R for Run ▸, Q for Quit...), as a person using the keyboard would.
Tests that run workflows need the engine's scheduling service and run history (engine.scheduling.service,
engine.runtime.history); until those modules exist they are skipped with that reason.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.gui.shell.app_process import ROOT, App, Home
from tests.gui.shell.x11 import request_close
from tests.support.xdisplay import XDisplay, start_xvfb

pytestmark = pytest.mark.xdisplay


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


@pytest.fixture
def app(xdisplay: XDisplay, tray_host: subprocess.Popen, home: Home):
    running = App(xdisplay, home)
    running.main_window()
    running.wait_log("started \\(window shown\\)")
    running.wait_for(lambda: running.tray_icon() is not None, "the tray icon is embedded in trayer")
    yield running
    running.stop()


def needs_service(app: App) -> None:
    app.wait_log("service started")


def test_tray_menu_runs_workflows_and_a_failure_notifies(app: App) -> None:
    needs_service(app)
    # Run ▸ lists workflows by name: Always fails, Hello Flowdeck, Slow one.
    app.tray_menu("r", "Down", "Return")
    app.wait_log(r"run finished: Hello Flowdeck succeeded")
    assert "notified failure" not in app.log_text()
    app.tray_menu("r", "Return")
    run_id = app.wait_log(r"run finished: Always fails failed run (\w+) disk is full")[1]
    app.wait_log(f"notified failure of run {run_id}")
    app.wait_for(app.popup_visible, "the failure balloon is shown")
    # Clicking the message opens that run in the history page.
    app.click_popup(app.popups()[0])
    app.wait_log(f"showing run {run_id}")


def test_close_keeps_running_in_the_tray_and_quit_exits(app: App) -> None:
    window = app.main_window()
    request_close(app.x.display, window)
    app.wait_log("window closed; still running in the tray")
    app.wait_for(lambda: not app.viewable(window), "the window is hidden")
    assert app.proc.poll() is None
    app.wait_for(app.popup_visible, "the one-time hint says Flowdeck is still running")
    app.click_popup(app.popups()[0])  # clicking the hint opens Flowdeck
    app.wait_for(lambda: app.viewable(window), "the window is shown again")
    request_close(app.x.display, window)
    app.wait_for(lambda: not app.viewable(window), "the window is hidden again")
    assert not app.popup_visible(), "the hint is shown once only"
    app.tray_menu("o")  # Open Flowdeck
    app.wait_for(lambda: app.viewable(window), "the window is shown again")
    app.tray_menu("q")
    assert app.proc.wait(15) == 0
    assert "bye" in app.log_text()


def test_quit_with_a_run_going_asks_and_stops_it(app: App) -> None:
    needs_service(app)
    app.tray_menu("r", "Down", "Down", "Return")  # Slow one: waits 60 s
    app.wait_log("run started: Slow one")
    app.tray_menu("q")
    app.wait_for(lambda: app.window_named("Quit Flowdeck") is not None, "the quit dialog lists the runs")
    started = time.monotonic()
    app.press_in("Quit Flowdeck", "alt+s")  # Stop them and quit
    assert app.proc.wait(20) == 0
    assert time.monotonic() - started < 15
    app.wait_log(r"quitting \(stop\)")


def test_second_launch_hands_over_and_exits(app: App, home: Home) -> None:
    window = app.main_window()
    request_close(app.x.display, window)
    app.wait_for(lambda: not app.viewable(window), "the window is hidden")
    target = home.workspace / "hello.yaml"
    started = time.monotonic()
    second = subprocess.run(
        [sys.executable, "-m", "gui", "open", str(target)],
        env=home.env(app.x),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert time.monotonic() - started < 10
    app.wait_log(f"request from another launch: .*{target.name}")
    app.wait_for(lambda: app.viewable(window), "the first instance shows its window")
    plain = subprocess.run(
        [sys.executable, "-m", "gui"], env=home.env(app.x), cwd=ROOT, capture_output=True, timeout=30
    )
    assert plain.returncode == 0
    assert app.log_text().count("request from another launch") == 2


def test_settings_write_and_remove_the_autostart_file(app: App, home: Home) -> None:
    assert not home.autostart.exists()
    for expected in (True, False):
        app.tray_menu("s")
        app.wait_for(lambda: app.window_named("Flowdeck Settings") is not None, "the settings dialog opens")
        dialog = app.window_named("Flowdeck Settings")
        app.xdo("windowfocus", "--sync", str(dialog))  # no window manager here to give it the focus
        time.sleep(0.5)
        app.xdo("key", "alt+l")  # Start Flowdeck when I log in
        time.sleep(0.7)  # let Qt take the mnemonic before Return
        app.xdo("key", "Return")  # Save
        app.wait_for(lambda e=expected: home.autostart.exists() == e, f"autostart file exists == {expected}")
    assert app.proc.poll() is None


def test_a_killed_instance_does_not_block_the_next(xdisplay: XDisplay, tray_host: subprocess.Popen, home: Home) -> None:
    first = App(xdisplay, home)
    first.main_window()
    first.wait_log("started \\(window shown\\)")
    first.proc.kill()  # kill -9: lock file and socket stay behind
    first.proc.wait(10)
    second = App(xdisplay, home)
    try:
        second.wait_for(lambda: second.log_text().count("started (window shown)") == 2, "the next start runs")
        assert second.proc.poll() is None
    finally:
        second.stop()


def test_without_a_tray_closing_asks_and_says_why(tmp_path: Path) -> None:
    bare = start_xvfb()  # a display with no tray host at all
    try:
        app = App(bare, Home(tmp_path))
        window = app.main_window()
        app.wait_log("started \\(window shown\\)")
        request_close(bare.display, window)
        app.wait_for(lambda: app.window_named("Close Flowdeck") is not None, "closing asks what to do")
        app.press_in("Close Flowdeck", "alt+q")
        assert app.proc.wait(15) == 0
        app.stop()
    finally:
        bare.proc.terminate()
        bare.proc.wait(10)


def test_started_minimised_lives_in_the_tray_until_opened(
    xdisplay: XDisplay, tray_host: subprocess.Popen, home: Home
) -> None:
    app = App(xdisplay, home, "--minimized")
    try:
        app.wait_log("started \\(in the tray\\)")
        app.wait_for(lambda: app.tray_icon() is not None, "the tray icon is embedded in trayer")
        app.wait_log("service started")
        assert "window made" not in app.log_text(), "no window is made at start"
        app.tray_menu("r", "Down", "Return")  # the tray works without a window: Run ▸ Hello Flowdeck
        app.wait_log(r"run finished: Hello Flowdeck succeeded")
        app.tray_menu("o")  # Open Flowdeck makes the window now
        window = app.main_window()
        app.wait_for(lambda: app.viewable(window), "the window is shown")
        assert app.log_text().count("window made") == 1
        app.tray_menu("q")
        assert app.proc.wait(15) == 0
    finally:
        app.stop()


def test_when_the_tray_host_goes_away_closing_asks_instead_of_hiding(tmp_path: Path) -> None:
    """The panel with the tray crashed or was closed: the close button may no longer hide Flowdeck out of reach."""
    bare = start_xvfb()
    tray = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32"],
        env=bare.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        app = App(bare, Home(tmp_path))
        window = app.main_window()
        app.wait_log("started \\(window shown\\)")
        app.wait_for(lambda: app.tray_icon() is not None, "the tray icon is embedded in trayer")
        tray.terminate()
        tray.wait(10)
        time.sleep(0.5)
        request_close(bare.display, window)
        app.wait_for(lambda: app.window_named("Close Flowdeck") is not None, "closing asks what to do")
        assert "still running in the tray" not in app.log_text()
        app.press_in("Close Flowdeck", "alt+q")
        assert app.proc.wait(15) == 0
        app.stop()
    finally:
        if tray.poll() is None:
            tray.terminate()
        bare.proc.terminate()
        bare.proc.wait(10)
