"""The dialogs a field opens, driven as a person would: "New secret…" in the secret picker, the path "…" button."""

from __future__ import annotations

from pathlib import Path

import keyring
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit
from pytestqt.qtbot import QtBot

from engine.cli import cmd_secret
from engine.registry import Kind, Param, default_registry
from engine.registry.params import BROWSE_MODES
from gui.document import WorkflowDocument
from gui.inspector import Inspector
from gui.inspector.editors import PathEditor
from gui.inspector.secrets import NEW, NewSecretDialog
from tests.gui.inspector.conftest import params


def _when_modal(qtbot: QtBot, act: object) -> None:
    """Run ``act(dialog)`` on the next modal dialog once it is shown."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, poll)
            return
        act(dialog)  # type: ignore[operator]

    QTimer.singleShot(20, poll)


def test_new_secret_from_the_picker(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    inspector.show_step("kinds")
    inspector.page.more.setChecked(True)
    combo = inspector.page.rows["password"].editor.combo

    def fill(dialog: NewSecretDialog) -> None:
        assert isinstance(dialog, NewSecretDialog)
        dialog.name.setText("api_token")
        dialog.secret.setText("tok-123")
        dialog.save()

    _when_modal(qtbot, fill)
    combo.activated.emit(combo.findText(NEW))
    assert params(document)["password"] == "api_token"
    assert keyring.get_password(cmd_secret.SERVICE, "api_token") == "tok-123"
    assert combo.findText("api_token") >= 0 and combo.currentText() == "api_token"
    assert "tok-123" not in repr(document.workflow)


def test_cancelled_new_secret_keeps_the_old_name(
    qtbot: QtBot, inspector: Inspector, document: WorkflowDocument
) -> None:
    document.set_param("kinds", "password", "old_name")
    inspector.show_step("kinds")
    combo = inspector.page.rows["password"].editor.combo
    _when_modal(qtbot, lambda dialog: dialog.reject())
    combo.activated.emit(combo.findText(NEW))
    assert combo.currentText() == "old_name" and params(document)["password"] == "old_name"


def test_path_button_opens_a_file_dialog(
    qtbot: QtBot, tmp_path: Path, inspector: Inspector, document: WorkflowDocument
) -> None:
    target = tmp_path / "report.csv"
    target.write_text("a,b\n")
    inspector.show_step("kinds")
    inspector.page.more.setChecked(True)
    editor = inspector.page.rows["target"].editor
    editor.line.setText(str(tmp_path))

    def choose(dialog: QFileDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        name = dialog.findChild(QLineEdit)
        name.setText(str(target))
        dialog.accept()

    _when_modal(qtbot, choose)
    assert editor.browse.toolTip() == "Choose a file"
    editor.browse.click()
    assert params(document)["target"] == str(target)


def _pick_in_dialog(path: Path, seen: list[QFileDialog.FileMode]):
    def pick(dialog: QFileDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        seen.append(dialog.fileMode())
        dialog.findChild(QLineEdit).setText(str(path))
        dialog.accept()

    return pick


def test_folder_and_save_paths_get_their_own_dialogs(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    seen: list[QFileDialog.FileMode] = []
    folder = PathEditor(Param("to", Kind.PATH, browse="folder"))
    qtbot.addWidget(folder)
    _when_modal(qtbot, _pick_in_dialog(tmp_path / "out", seen))
    folder.browse.click()
    assert folder.value() == str(tmp_path / "out")
    new_file = PathEditor(Param("to", Kind.PATH, browse="save"))
    qtbot.addWidget(new_file)
    _when_modal(qtbot, _pick_in_dialog(tmp_path / "new.zip", seen))  # a file that does not exist yet
    new_file.browse.click()
    assert new_file.value() == str(tmp_path / "new.zip")
    assert seen == [QFileDialog.FileMode.Directory, QFileDialog.FileMode.AnyFile]


def test_file_or_folder_paths_offer_both(qtbot: QtBot, tmp_path: Path) -> None:
    editor = PathEditor(Param("path", Kind.PATH, browse="any"))
    qtbot.addWidget(editor)
    menu = editor.browse.menu()
    assert [a.text().replace("&", "") for a in menu.actions()] == ["Choose a file…", "Choose a folder…"]
    seen: list[QFileDialog.FileMode] = []
    _when_modal(qtbot, _pick_in_dialog(tmp_path, seen))
    menu.actions()[1].trigger()
    assert editor.value() == str(tmp_path) and seen == [QFileDialog.FileMode.Directory]


def test_every_path_parameter_says_what_it_picks() -> None:
    for block in default_registry():
        for param in block.params:
            if param.kind is Kind.PATH:
                assert param.browse in BROWSE_MODES, f"{block.type}.{param.name}: {param.browse!r}"


def test_completion_in_a_multiline_field(qtbot: QtBot, inspector: Inspector) -> None:
    inspector.show_step("kinds")
    inspector.page.more.setChecked(True)
    row = inspector.page.rows["body"]
    edit = row.editor.edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, "Folder: {{ vars.fo")
    assert row.completer.popup().isVisible() and row.completer.currentCompletion() == "vars.folder"
    row.completer.activated[str].emit("vars.folder")
    assert edit.toPlainText() == "Folder: {{ vars.folder }}"
