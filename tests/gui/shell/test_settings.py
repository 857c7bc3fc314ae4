"""Settings: stored in QSettings and edited in the settings dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from gui.shell.settings import Settings, load_settings, save_settings
from gui.shell.settings_dialog import SettingsDialog


def store(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "flowdeck.conf"), QSettings.Format.IniFormat)


def test_settings_round_trip_through_qsettings(tmp_path: Path) -> None:
    s = Settings(workspace=str(tmp_path / "ws"), workers=7, notify_success=True, theme="dark", start_minimized=True)
    save_settings(s, store(tmp_path))
    assert load_settings(store(tmp_path)) == s


def test_bad_stored_values_fall_back_to_defaults(tmp_path: Path) -> None:
    raw = store(tmp_path)
    raw.setValue("workers", "many")
    raw.setValue("theme", "purple")
    raw.setValue("notify_failure", "false")
    raw.sync()
    loaded = load_settings(store(tmp_path))
    assert loaded.workers == Settings().workers
    assert loaded.theme == "system"
    assert loaded.notify_failure is False


def test_dialog_edits_every_field(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(Settings(workspace=str(tmp_path)))
    qtbot.addWidget(dialog)
    dialog.workspace.setText(str(tmp_path / "elsewhere"))
    dialog.workers.setValue(2)
    dialog.notify_failure.setChecked(False)
    dialog.notify_success.setChecked(True)
    dialog.start_at_login.setChecked(True)
    dialog.start_minimized.setChecked(True)
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert dialog.result_settings() == Settings(
        workspace=str(tmp_path / "elsewhere"),
        workers=2,
        notify_failure=False,
        notify_success=True,
        start_at_login=True,
        start_minimized=True,
        theme="light",
    )


def test_dialog_refuses_a_file_as_workspace(qtbot: QtBot, tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    dialog = SettingsDialog(Settings(workspace=str(tmp_path)))
    qtbot.addWidget(dialog)
    dialog.workspace.setText(str(a_file))
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled()
    assert "is a file, not a folder" in dialog.problem.text()
    dialog.workspace.setText("")
    assert "Choose a workspace folder" in dialog.problem.text()
    dialog.workspace.setText(str(tmp_path / "new-folder"))
    assert save.isEnabled()
