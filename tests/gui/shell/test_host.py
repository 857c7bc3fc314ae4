"""The desktop host: clipboard calls from a worker thread are carried out on the GUI thread."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from engine.errors import StepError
from gui.shell import host as host_module
from gui.shell.host import GuiHost


def in_worker(qtbot: QtBot, fn) -> object:
    out: dict[str, object] = {}

    def work() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:
            out["error"] = exc

    t = threading.Thread(target=work)
    t.start()
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=15000)
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out.get("value")


def test_clipboard_round_trip_from_a_worker_thread(qtbot: QtBot) -> None:
    host = GuiHost()
    in_worker(qtbot, lambda: host.clipboard_set("from a run"))
    assert QGuiApplication.clipboard().text() == "from a run"
    QGuiApplication.clipboard().setText("set by a person")
    assert in_worker(qtbot, host.clipboard_get) == "set by a person"


def test_calls_run_on_the_gui_thread(qtbot: QtBot) -> None:
    host = GuiHost()
    gui_thread = QThread.currentThread()
    seen = in_worker(qtbot, lambda: host._in_gui(lambda: QThread.currentThread() is gui_thread))
    assert seen is True


def test_notify_reaches_the_gui_as_a_signal(qtbot: QtBot) -> None:
    host = GuiHost()
    with qtbot.waitSignal(host.notified, timeout=5000) as blocker:
        threading.Thread(target=host.notify, args=("Backup", "done", "info")).start()
    assert blocker.args == ["Backup", "done", "info"]


def test_a_gui_that_does_not_answer_fails_the_step_not_the_app(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(host_module, "_GUI_TIMEOUT", 0.2)
    host = GuiHost()
    result: list[BaseException] = []

    def work() -> None:
        try:
            host.clipboard_get()
        except StepError as exc:
            result.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join(5)  # the GUI thread is busy here (not spinning its event loop), so the call cannot be served
    assert len(result) == 1 and "did not answer" in str(result[0])
    qtbot.wait(50)  # the late call still runs harmlessly once the loop turns


def test_open_starts_the_opener_with_the_session_environment(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """In a bundle (sys.frozen), the opener open starts gets the person's LD_LIBRARY_PATH and Qt plugin path,
    as PyInstaller's bootloader and the bundle's first runtime hook kept them, not the bundle's."""
    bindir, seen = tmp_path / "bin", tmp_path / "environ"
    bindir.mkdir()
    (bindir / "xdg-open").write_text(f'#!/bin/sh\ncat /proc/$$/environ > "{seen}"\n')
    (bindir / "xdg-open").chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/bundle/_internal")
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/home/person/lib")
    monkeypatch.setenv("QT_PLUGIN_PATH", "/opt/bundle/_internal/PySide6/Qt/plugins")
    monkeypatch.setenv("_FLOWDECK_ORIG_RECORDED", "1")
    monkeypatch.setenv("_PYI_APPLICATION_HOME_DIR", "/opt/bundle/_internal")
    report = tmp_path / "report.txt"
    report.write_text("numbers")
    in_worker(qtbot, lambda: GuiHost().open(str(report)))
    qtbot.waitUntil(lambda: seen.exists() and seen.stat().st_size > 0, timeout=10000)
    env = dict(item.split("=", 1) for item in seen.read_text().split("\0") if "=" in item)
    assert env.get("LD_LIBRARY_PATH") == "/home/person/lib"
    assert "QT_PLUGIN_PATH" not in env
    assert "/opt/bundle" not in "".join(env.values())
