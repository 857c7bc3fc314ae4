"""The first Save of a new workflow: in the workspace, which the dialog's sidebar lists; triggers saved outside it
are offered a move into it (the app only runs the workspace's workflows)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from engine.io import read_file, read_text
from gui.editor import EditorPage
from gui.mainwindow import MainWindow
from gui.shell.settings import qsettings

SCHEDULED = "flowdeck: 1\nname: Nightly\ntriggers:\n  - schedule: {every: 1h}\n" + (
    "steps:\n  hello: {do: log, with: {message: hi}}\n"
)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    store = qsettings()
    old = store.value("workspace", "")
    store.setValue("workspace", str(tmp_path / "ws"))
    store.sync()
    yield tmp_path / "ws"
    store.setValue("workspace", old)
    store.sync()


@pytest.fixture
def page(window: MainWindow) -> EditorPage:
    return window.editor


def _when_modal(qtbot: QtBot, kind: type, act: Callable) -> list:
    """Act on the next modal dialog of ``kind`` as a person would; what it saw is returned in the list."""
    seen: list = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, kind):
            seen.append(act(box))
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)
    return seen


def test_first_save_opens_in_the_workspace_listed_in_the_sidebar(
    page: EditorPage, qtbot: QtBot, workspace: Path
) -> None:
    wf, _ = read_text(SCHEDULED.replace("triggers:\n  - schedule: {every: 1h}\n", ""))
    page.set_document(page.new_document(wf))

    def type_a_name(dialog: QFileDialog) -> tuple[str, list[QUrl]]:
        seen = (dialog.directory().absolutePath(), dialog.sidebarUrls())
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        name.clear()
        QTest.keyClicks(name, "mine")
        QTest.keyClick(name, Qt.Key.Key_Return)
        return seen

    seen = _when_modal(qtbot, QFileDialog, type_a_name)
    assert page.save()
    folder, sidebar = seen[0]
    assert Path(folder) == workspace.resolve()
    assert QUrl.fromLocalFile(str(workspace)) in sidebar
    assert (workspace / "mine.yaml").exists() and page.document.path == (workspace / "mine.yaml").resolve()


def test_triggers_saved_outside_the_workspace_are_offered_a_move(
    page: EditorPage, qtbot: QtBot, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "elsewhere" / "nightly.yaml"
    outside.parent.mkdir()
    monkeypatch.setattr(EditorPage, "ask_save_path", lambda self: str(outside))
    wf, _ = read_text(SCHEDULED)
    page.set_document(page.new_document(wf))

    def move(box: QMessageBox) -> str:
        text = box.text()
        next(b for b in box.buttons() if "Move" in b.text()).click()
        return text

    said = _when_modal(qtbot, QMessageBox, move)
    assert page.save()
    assert "outside the workspace" in said[0] and "nightly.yaml" in said[0]
    moved = workspace / "nightly.yaml"
    assert moved.exists() and not outside.exists() and page.document.path == moved.resolve()
    assert read_file(moved)[0].triggers

    page.set_document(page.new_document(read_text(SCHEDULED)[0]))
    keep = _when_modal(qtbot, QMessageBox, lambda box: next(b for b in box.buttons() if "Keep" in b.text()).click())
    assert page.save_as()
    assert keep and outside.exists() and page.document.path == outside.resolve()
