"""The app and ``flowdeck daemon`` on one workspace: whoever arms it first runs it, the other says who does.

The app, refused, shows a banner with the engine's line and "Take over when it stops", which arms the workspace
once the daemon has gone; the daemon, refused by the app, exits with code 1 and names the app. Real processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.shell.banner import TAKE_OVER, WAITING
from gui.shell.controller import AppController
from gui.shell.settings import Settings
from tests.gui.shell.controllers import close_controller, free_port
from tests.support.flows import tick

REPO = Path(__file__).resolve().parents[3]
HOURLY = "flowdeck: 1\nname: Hourly\ntriggers:\n  - schedule: {every: 1h}\nsteps:\n  s: {do: log, with: {message: x}}\n"


@pytest.fixture(autouse=True)
def _discard_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)


@pytest.fixture
def account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The app (this process) and the daemon share the state folder, where the workspace locks are."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield {**os.environ, **env, "PYTHONPATH": str(REPO)}


def _daemon(ws: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as err:
        cmd = [sys.executable, "-m", "engine", "daemon", str(ws), "--port", "0", "--grace", "1"]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)


def _wait_log(log: Path, text: str, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(encoding="utf-8", errors="replace"):
            return True
        time.sleep(0.05)
    return False


def _controller(qapp, ws: Path) -> AppController:
    c = AppController(qapp, None, Settings(workspace=str(ws), webhook_port=free_port(), tray_hint_shown=True))
    c.start()
    return c


def _close(c: AppController) -> None:
    close_controller(c)


def test_app_shows_who_runs_the_workspace_and_takes_over_when_the_daemon_stops(
    qtbot: QtBot, qapp, tmp_path: Path, account: dict[str, str]
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "hourly.yaml").write_text(HOURLY)
    log = tmp_path / "daemon.stderr"
    daemon = _daemon(ws, account, log)
    try:
        assert _wait_log(log, "watching"), log.read_text()
        c = _controller(qapp, ws)
        try:
            banner = c.dashboard.banner
            qtbot.waitUntil(lambda: banner.isVisible(), timeout=20000)
            assert c.service is None
            assert banner.text.text() == (
                f"The workspace {ws} is run by flowdeck daemon (pid {daemon.pid}); quit it first, or use another folder"
            )
            assert banner.button.text() == TAKE_OVER
            qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)
            assert banner.button.text() == WAITING and not banner.button.isEnabled()
            qtbot.wait(1500)  # a look or two at the lock while the daemon still runs: nothing changes
            assert c.service is None and banner.isVisible()
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(20) == 0
            qtbot.waitUntil(lambda: c.service is not None and not banner.isVisible(), timeout=10000)
            qtbot.waitUntil(lambda: [r.name for r in c.dashboard.rows] == ["Hourly"], timeout=10000)
            assert c.service.run_by().pid == os.getpid()
            assert c.service.run_by().who == "the Flowdeck app"
        finally:
            _close(c)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait(10)


def test_a_daemon_started_while_the_app_runs_the_workspace_names_the_app(
    qtbot: QtBot, qapp, tmp_path: Path, account: dict[str, str]
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "hourly.yaml").write_text(HOURLY)
    c = _controller(qapp, ws)
    try:
        qtbot.waitUntil(lambda: c.service is not None, timeout=20000)
        log = tmp_path / "daemon.stderr"
        daemon = _daemon(ws, account, log)
        assert daemon.wait(30) == 1
        who = f"the Flowdeck app (pid {os.getpid()})"
        line = f"the workspace {ws} is run by {who}; quit it first, or use another folder"
        assert line in log.read_text(encoding="utf-8")
        assert not c.dashboard.banner.isVisible()
    finally:
        _close(c)


def _count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def test_changing_the_workers_rearms_the_same_workspace(qtbot: QtBot, qapp, tmp_path: Path, account) -> None:
    """Runs at the same time changed in the settings: the new service arms the same folder (the old one gave it up
    first) and its schedule goes on firing."""
    ws, marks = tmp_path / "ws", tmp_path / "marks.txt"
    ws.mkdir()
    (ws / "tick.yaml").write_text(tick(marks))
    c = _controller(qapp, ws)
    try:
        qtbot.waitUntil(lambda: c.service is not None and _count(marks) >= 1, timeout=20000)
        old = c.service
        c.apply_settings(c.settings.with_(workers=2))
        assert c.service is not None and c.service is not old, c.busy
        assert not c.dashboard.banner.isVisible()
        count = _count(marks)
        qtbot.waitUntil(lambda: _count(marks) >= count + 2, timeout=10000)
    finally:
        _close(c)


def test_switching_to_a_workspace_a_daemon_runs_shows_the_banner_and_frees_the_old_one(
    qtbot: QtBot, qapp, tmp_path: Path, account: dict[str, str]
) -> None:
    """Settings ▸ Workspace folder set to a folder that `flowdeck daemon` runs: the banner says so; the old folder
    is given up (a daemon can now run it)."""
    first, second = tmp_path / "first", tmp_path / "second"
    for ws in (first, second):
        ws.mkdir()
        (ws / "hourly.yaml").write_text(HOURLY)
    c = _controller(qapp, first)
    daemons: list[subprocess.Popen] = []
    try:
        qtbot.waitUntil(lambda: c.service is not None, timeout=20000)
        log = tmp_path / "second.stderr"
        daemons.append(_daemon(second, account, log))
        assert _wait_log(log, "watching"), log.read_text()
        c.apply_settings(c.settings.with_(workspace=str(second)))
        assert c.service is None
        qtbot.waitUntil(lambda: c.dashboard.banner.isVisible(), timeout=5000)
        assert f"is run by flowdeck daemon (pid {daemons[0].pid})" in c.dashboard.banner.text.text()
        log = tmp_path / "first.stderr"
        daemons.append(_daemon(first, account, log))
        assert _wait_log(log, "watching"), log.read_text()
        assert daemons[1].poll() is None
    finally:
        _close(c)
        for daemon in daemons:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(20)


def test_tray_pause_all_stops_every_fire_until_resume(qtbot: QtBot, qapp, tmp_path: Path, account) -> None:
    """Tray ▸ Pause all: no trigger fires while paused; Resume all: they fire again."""
    ws, marks = tmp_path / "ws", tmp_path / "marks.txt"
    ws.mkdir()
    (ws / "tick.yaml").write_text(tick(marks))
    c = _controller(qapp, ws)
    try:
        qtbot.waitUntil(lambda: c.service is not None and _count(marks) >= 1, timeout=20000)
        c.tray.pause_action.trigger()
        assert c.service.paused
        qtbot.wait(1500)  # a run that had started ends
        count = _count(marks)
        qtbot.wait(2500)
        assert _count(marks) == count
        assert c.tray.pause_action.text() == "Res&ume all"
        c.tray.pause_action.trigger()
        qtbot.waitUntil(lambda: _count(marks) >= count + 2, timeout=10000)
    finally:
        _close(c)


def test_a_removed_workspace_is_said_on_the_workflows_page_until_it_is_back(
    qtbot: QtBot, qapp, tmp_path: Path, account
) -> None:
    """The workspace folder removed while the app runs: the page says so (not "no workflows yet"); back, its
    workflows are listed again."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "hourly.yaml").write_text(HOURLY)
    c = _controller(qapp, ws)
    try:
        qtbot.waitUntil(lambda: c.service is not None and len(c.dashboard.rows) == 1, timeout=20000)
        shutil.rmtree(ws)
        problem = c.dashboard.problem
        qtbot.waitUntil(lambda: problem.isVisible(), timeout=10000)
        assert problem.text() == f"The workspace {ws} was removed; its workflows are disarmed until it comes back"
        assert c.dashboard.rows == []
        ws.mkdir()
        (ws / "hourly.yaml").write_text(HOURLY)
        qtbot.waitUntil(lambda: not problem.isVisible() and len(c.dashboard.rows) == 1, timeout=10000)
    finally:
        _close(c)
