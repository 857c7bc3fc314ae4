"""The main window as the editor's tests use it: shown, with its recovery files in the test's folder and no
"save changes?" box (the test answers Discard)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.editor.recovery import Recovery
from gui.mainwindow import MainWindow


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    win = MainWindow()
    win.editor.recovery = Recovery(tmp_path / "recovery")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win
