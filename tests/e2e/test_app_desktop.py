"""docs/app.md: blocks that touch the desktop inside the app, Quit with runs going, the log and About.
The real app on Xvfb with trayer, in its own HOME; the desktop's opener is a small program that writes down what it
was asked to open, as xdg-open would hand it to the default program."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.desktop import started
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay


def desktop_blocks(report: Path) -> str:
    return f"""flowdeck: 1
name: Desktop
steps:
  tell:
    do: notify
    with: {{title: Backup done, message: 3 files}}
    next: copy
  copy:
    do: clipboard.write
    with: {{text: copied by Flowdeck}}
    next: paste
  paste:
    do: clipboard.read
    next: show
  show:
    do: open
    with: {{target: "{report}"}}
"""


def sleeper(pid_file: Path) -> str:
    """A workflow whose program writes its pid and then sleeps for five minutes."""
    return f"""flowdeck: 1
name: Long program
steps:
  sleep:
    do: program.run
    with: {{command: [sh, -c, 'echo $$ > "{pid_file}"; exec sleep 300']}}
"""


BRIEF_WRITE = """flowdeck: 1
name: Brief writer
steps:
  nap:
    do: wait
    with: {{duration: 3s}}
    next: write
  write:
    do: file.write
    with: {{path: "{out}", content: finished}}
"""


def run_record(product: Product, run_id: str) -> dict:
    done = product.run("history", "--run", run_id, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def opener(product: Product) -> tuple[dict[str, str], Path]:
    """A desktop whose default program writes down what it opens; the env that puts it on PATH, and its notes."""
    tools = product.home / "bin"
    tools.mkdir(exist_ok=True)
    opened = product.home / "opened.txt"
    program = tools / "xdg-open"
    program.write_text(f'#!/bin/sh\necho "$1" >> "{opened}"\n')
    program.chmod(0o755)
    return {"PATH": f"{tools}:{os.environ.get('PATH', '/usr/bin:/bin')}"}, opened


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.promise("app.md", "Blocks that touch the desktop")
def test_inside_the_app_blocks_reach_the_desktop(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Inside the app, notify shows a tray message, the clipboard blocks use the desktop's clipboard (another program
    pastes what clipboard.write copied), and open hands the file to the desktop's default program."""
    env, opened = opener(product)
    report = product.home / "report.txt"
    report.write_text("numbers")
    product.write("desktop.yaml", desktop_blocks(report))
    app = started(xdisplay, product, env=env)
    try:
        app.tray_menu("r", "Return")  # Run ▸ Desktop
        run_id = app.wait_log(r"run finished: Desktop succeeded run (\w+)")[1]
        app.wait_for(app.popup_visible, "the notification is shown from the tray")
        app.shot(tmp_path / "notify.png")
        steps = {s["step"]: s for s in run_record(product, run_id)["steps"]}
        assert steps["paste"]["output"]["text"] == "copied by Flowdeck"
        assert app.clipboard() == "copied by Flowdeck"
        assert wait_until(lambda: opened.exists() and opened.read_text().split() == [report.as_uri()]), (
            opened.read_text() if opened.exists() else "nothing opened"
        )
        assert "[notification]" not in app.log_text()
    finally:
        app.stop()


@pytest.mark.promise("app.md", "The tray")
def test_quit_stops_running_programs_or_waits_for_the_runs(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Quit with runs going lists them and asks: Stop them and quit cancels each run and kills its running program;
    Wait lets the runs finish, then Flowdeck quits."""
    pid_file = tmp_path / "sleep.pid"
    product.write("long.yaml", sleeper(pid_file))
    app = started(xdisplay, product)
    try:
        app.tray_menu("r", "Return")  # Run ▸ Long program
        assert wait_until(lambda: pid_file.exists() and pid_file.read_text().strip()), "the program runs"
        pid = int(pid_file.read_text())
        app.tray_menu("q")
        app.wait_for(lambda: app.window_named("Quit Flowdeck") is not None, "Quit asks about the run going")
        app.shot(tmp_path / "quit-asks.png")
        app.press_in("Quit Flowdeck", "alt+s")  # Stop them and quit
        assert app.proc.wait(30) == 0
        assert wait_until(lambda: not alive(pid), timeout=10), "the running program is killed"
        assert [r["status"] for r in product.history("Long program")] == ["cancelled"]
    finally:
        app.stop()

    out = tmp_path / "brief.txt"
    product.write("brief.yaml", BRIEF_WRITE.format(out=out))
    app = started(xdisplay, product)
    try:
        app.tray_menu("r", "Return")  # Run ▸ Brief writer (the first by name, before Long program)
        app.wait_log("run started: Brief writer")
        app.tray_menu("q")
        app.press_in("Quit Flowdeck", "alt+w")  # Wait
        assert app.proc.wait(30) == 0
        assert out.read_text() == "finished"
        assert [r["status"] for r in product.history("Brief writer")] == ["succeeded"]
    finally:
        app.stop()


@pytest.mark.promise("app.md", "Logs and About")
def test_the_log_file_and_about(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """The app logs to ~/.local/state/flowdeck/log/flowdeck.log; Help ▸ Open log folder opens that folder with the
    desktop's default program; Help ▸ About Flowdeck shows a dialog with the versions."""
    env, opened = opener(product)
    app = started(xdisplay, product, env=env)
    try:
        log = product.home / ".local" / "state" / "flowdeck" / "log" / "flowdeck.log"
        assert "started (window shown)" in log.read_text()
        window = app.main_window()
        app.keys(window, "alt+h", "Return")  # Help ▸ Open log folder
        assert wait_until(lambda: opened.exists() and opened.read_text().split() == [log.parent.as_uri()]), (
            opened.read_text() if opened.exists() else "nothing opened"
        )
        app.keys(window, "alt+h", "Down", "Return")  # Help ▸ About Flowdeck
        app.wait_for(lambda: app.window_named("About Flowdeck") is not None, "About Flowdeck opens")
        app.shot(tmp_path / "about.png")
    finally:
        app.stop()
