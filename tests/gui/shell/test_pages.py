"""The window's page bar is whole from its first paint: Workflows, History, Editor, in that order, before the
service (which brings the history) has started, so a click made early lands on the page it was aimed at."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot

from gui.shell.controller import AppController
from gui.shell.settings import Settings
from tests.gui.shell.controllers import close_controller, free_port


def _buttons(c: AppController) -> list[str]:
    bar = c.window.mode_bar
    found = [bar.layout().itemAt(i).widget() for i in range(bar.layout().count())]
    return [w.objectName() for w in found if isinstance(w, QToolButton) and not w.isHidden()]


def test_history_has_its_place_before_the_service_starts(
    qtbot: QtBot, qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    ws = tmp_path / "ws"
    ws.mkdir()
    c = AppController(qapp, None, Settings(workspace=str(ws), webhook_port=free_port(), tray_hint_shown=True))
    c.start()
    try:
        order = ["page_Workflows", "page_History", "page_Editor"]
        assert c.service is None and _buttons(c) == order  # the window is shown; the service starts after its paint
        c.window.findChild(QToolButton, "page_History").click()  # chosen early: the page says what it waits for
        shown = c.window.stack.currentWidget()
        assert any("history" in label.text().lower() for label in shown.findChildren(QLabel) if label.isVisible())
        qtbot.waitUntil(lambda: c.service is not None and c.history_page is not None, timeout=20000)
        assert _buttons(c) == order  # one History page, filled in where it was
        assert c.window.stack.currentWidget() is shown and c.history_page.isVisibleTo(shown)
    finally:
        close_controller(c)
