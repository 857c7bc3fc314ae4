"""docs/app.md, the tray: the app as a real process on a real X display with a real tray (trayer), in its own HOME.

The tray menu is opened with a right click on the embedded icon and driven with the keyboard (mnemonics and
arrows), as a person using the keyboard would; the badge is read from the icon's pixels on the screen.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop, started
from tests.gui.shell.x11 import request_close
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay, start_xvfb

pytestmark = pytest.mark.xdisplay

FAILS = """flowdeck: 1
name: Always fails
steps:
  boom:
    do: fail
    with: {message: disk is full}
"""
HELLO = """flowdeck: 1
name: Hello
steps:
  greet:
    do: log
    with: {message: hi}
"""
BRIEF = """flowdeck: 1
name: Takes three seconds
steps:
  nap:
    do: wait
    with: {duration: 3s}
"""


def ticker(out: Path) -> str:
    """A workflow that adds a line to ``out`` every second."""
    return f"""flowdeck: 1
name: Ticker
triggers:
  - schedule: {{every: 1s}}
steps:
  tick:
    do: file.write
    with: {{path: "{out}", content: tick, append: true, newline: true}}
"""


def lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.mark.promise("app.md", "The Flowdeck app")
@pytest.mark.promise("app.md", "The tray")
def test_closing_the_window_keeps_workflows_running_from_the_tray(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Close the window and your workflows keep running from the system tray; the first time, a message says so,
    and Quit stops the triggers so nothing new starts."""
    out = tmp_path / "ticks.txt"
    product.write("ticker.yaml", ticker(out))
    app = started(xdisplay, product)
    try:
        window = app.main_window()
        assert wait_until(lambda: lines(out) >= 1), "the schedule fired while the window was open"
        request_close(xdisplay.display, window)
        app.wait_for(lambda: not app.viewable(window), "the window is hidden")
        app.wait_for(app.popup_visible, "the first close says Flowdeck is still running")
        app.shot(tmp_path / "closed-to-tray.png")
        closed_at = lines(out)
        assert wait_until(lambda: lines(out) >= closed_at + 3), "the schedule keeps firing with the window closed"
        assert app.proc.poll() is None
        # the run that wrote the last line may still be finishing: every run ends succeeded, none other
        assert wait_until(
            lambda: len([r for r in product.history("Ticker") if r["status"] == "succeeded"]) >= closed_at + 3
        )
        assert {r["status"] for r in product.history("Ticker")} <= {"succeeded", "running"}
        app.click_popup(app.popups()[0])  # clicking the message opens Flowdeck
        app.wait_for(lambda: app.viewable(window), "the window is shown again")
        app.wait_for(lambda: not app.popup_visible(), "the message is gone")
        request_close(xdisplay.display, window)
        app.wait_for(lambda: not app.viewable(window), "the window is hidden again")
        assert not wait_until(app.popup_visible, timeout=2), "the message is shown the first time only"
        assert app.quit() == 0
        after_quit = lines(out)
        assert not wait_until(lambda: lines(out) > after_quit, timeout=3), "nothing starts after Quit"
    finally:
        app.stop()


@pytest.mark.promise("app.md", "The tray")
def test_the_badge_tells_how_things_go_and_a_failure_notifies(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """The icon has no badge when idle, blue while a run goes, red when the latest run of a workflow failed (cleared
    when you open the run from its notification, which says which workflow failed), amber when all triggers are
    paused; Pause all and Resume all are in the menu."""
    product.write("fails.yaml", FAILS)
    product.write("brief.yaml", BRIEF)
    app = started(xdisplay, product)
    try:
        app.wait_badge(None)
        app.tray_menu("r", "Return")  # Run ▸ Always fails (the workflows are listed by name)
        failed = app.wait_log(r"run finished: Always fails failed run (\w+) disk is full")[1]
        app.wait_badge("failed")
        app.wait_for(app.popup_visible, "the failure is notified")
        app.shot(tmp_path / "failure-notified.png")
        assert [r["status"] for r in product.history("Always fails")] == ["failed"]
        app.click_popup(app.popups()[0])  # open that run
        app.wait_log(f"showing run {failed}")
        app.wait_badge(None)
        app.tray_menu("r", "Down", "Return")  # Run ▸ Takes three seconds
        app.wait_badge("running")
        app.wait_log("run finished: Takes three seconds succeeded")
        app.wait_badge(None)
        app.tray_menu("p")  # Pause all
        app.wait_log("triggers paused")
        app.wait_badge("paused")
        app.shot(tmp_path / "paused.png")
        app.tray_menu("u")  # Resume all (its mnemonic is U: R is Run ▸)
        app.wait_log("triggers resumed")
        app.wait_badge(None)
    finally:
        app.stop()


@pytest.mark.promise("app.md", "The tray")
def test_the_menu_runs_every_workflow_and_opens_the_last_five_runs(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """The tray menu's Run ▸ lists every workflow in the workspace (by name) and runs the one chosen; the menu shows
    the last five runs, and choosing one opens it in the history; Settings… follows them."""
    hello = product.write("hello.yaml", HELLO)
    product.write("again.yaml", HELLO.replace("name: Hello", "name: Again"))  # runs that succeed: no balloon
    earlier = [subprocess.Popen(product.command("run", hello), env=product.env, stdout=subprocess.DEVNULL)
               for _ in range(4)]  # fmt: skip
    assert [p.wait(60) for p in earlier] == [0] * 4  # four runs from the command line, before the app starts
    app = started(xdisplay, product)
    try:
        for n, keys in enumerate([("Return",), ("Down", "Return")], start=1):
            app.tray_menu("r", *keys)
            app.wait_for(lambda n=n: app.log_text().count("run finished: ") == n, f"{n} runs finished")
        runs = product.history()
        assert [r["workflow"] for r in runs] == ["Hello", "Again"] + ["Hello"] * 4  # newest first
        app.tray_menu("Down", "Down", "Down", "Down", "Return")  # the first row of the recent runs
        app.wait_log(f"showing run {runs[0]['run_id']}")
        app.tray_menu(*["Down"] * 8, "Return")  # the fifth row
        app.wait_log(f"showing run {runs[4]['run_id']}")
        assert f"showing run {runs[5]['run_id']}" not in app.log_text()
        app.tray_menu(*["Down"] * 9, "Return")  # after five rows: Settings…
        app.wait_for(lambda: app.window_named("Flowdeck Settings") is not None, "the settings dialog opens")
    finally:
        app.stop()


@pytest.mark.promise("app.md", "The tray")
def test_without_a_system_tray_closing_asks_whether_to_quit_or_minimise(product: Product, tmp_path: Path) -> None:
    """If the desktop has no system tray, closing the window asks whether to quit or to minimise, and explains why;
    Minimise keeps Flowdeck (and its schedules) running, Quit ends it."""
    out = tmp_path / "ticks.txt"
    product.write("ticker.yaml", ticker(out))
    bare = start_xvfb()  # a display without any tray host
    try:
        app = Desktop(bare, product)
        try:
            window = app.main_window()
            app.wait_log("service started")
            request_close(bare.display, window)
            app.wait_for(lambda: app.window_named("Close Flowdeck") is not None, "closing asks what to do")
            app.shot(tmp_path / "no-tray-asks.png")
            app.press_in("Close Flowdeck", "alt+m")  # Minimise
            app.wait_for(lambda: app.window_named("Close Flowdeck") is None, "the question is answered")
            assert app.proc.poll() is None
            settled = lines(out)
            assert wait_until(lambda: lines(out) >= settled + 2), "its workflows keep running"
            request_close(bare.display, window)
            app.press_in("Close Flowdeck", "alt+q")  # Quit
            assert app.proc.wait(20) == 0
        finally:
            app.stop()
    finally:
        bare.proc.terminate()
        bare.proc.wait(10)
