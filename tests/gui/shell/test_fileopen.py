"""macOS hands a double-clicked workflow to the app as a QFileOpenEvent; the app opens it in the editor.

The events here are real QFileOpenEvents posted to the QApplication, as Qt's Cocoa platform plugin posts them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QFileOpenEvent
from pytestqt.qtbot import QtBot

from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.shell.controller import AppController
from gui.shell.fileopen import FileOpenRelay
from gui.shell.settings import Settings
from resources import EXAMPLES
from tests.gui.shell.controllers import close_controller, free_port


def _post(qapp, event: QFileOpenEvent) -> None:
    QCoreApplication.postEvent(qapp, event)
    QCoreApplication.processEvents()


@pytest.fixture
def relay(qapp):
    found = FileOpenRelay(qapp)
    yield found
    qapp.removeEventFilter(found)
    found.deleteLater()


def test_files_opened_before_the_app_is_ready_are_kept_then_each_later_one_is_passed_on(
    qapp, relay: FileOpenRelay, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    _post(qapp, QFileOpenEvent(str(first)))
    opened: list[str] = []
    relay.deliver_to(opened.append)
    assert opened == [str(first)]
    _post(qapp, QFileOpenEvent(QUrl.fromLocalFile(str(second))))
    assert opened == [str(first), str(second)]


def test_a_url_that_is_not_a_local_file_is_left_alone(qapp, relay: FileOpenRelay) -> None:
    opened: list[str] = []
    relay.deliver_to(opened.append)
    _post(qapp, QFileOpenEvent(QUrl("https://example.invalid/flow.yaml")))
    assert opened == []


def test_a_file_opened_from_finder_shows_in_the_editor(
    qtbot: QtBot, qapp, relay: FileOpenRelay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "ws").mkdir()
    sales = tmp_path / "Sales report.yaml"
    shutil.copy(EXAMPLES / "daily-sales-report.yaml", sales)
    c = AppController(qapp, None, Settings(workspace=str(tmp_path / "ws"), webhook_port=free_port()))
    c.start()
    relay.deliver_to(c.open_file)
    try:
        _post(qapp, QFileOpenEvent(str(sales)))
        qtbot.waitUntil(lambda: c.window.current_path is not None, timeout=10000)
        assert Path(c.window.current_path) == sales
        assert c.window.current_page() is c.window.editor and c.window.isVisible()
        assert set(c.window.editor.scene.nodes) == {"yesterday", "fetch", "keep", "append", "alert"}
        assert "Sales report.yaml" in c.window.windowTitle()
    finally:
        qtbot.waitUntil(lambda: c.service is not None, timeout=20000)
        close_controller(c)
