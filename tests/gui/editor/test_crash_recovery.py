"""After a real crash (an editor killed with SIGKILL after an autosave), the next window offers the work back."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.mainwindow import MainWindow

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "resources" / "examples" / "hello.yaml"

CRASHING_EDITOR = """
import os, signal, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui.mainwindow import MainWindow
window = MainWindow()
window.open_file(sys.argv[1])
window.editor.document.set_workflow_field("name", "Changed before the crash")
assert window.editor.autosave()
os.kill(os.getpid(), signal.SIGKILL)  # no clean-up of any kind: the recovery file stays behind
"""


def crash_while_editing(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_EDITOR, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -9, done.stderr


def answer_next_question(button: QMessageBox.StandardButton) -> list[str]:
    """Press ``button`` in the next message box once it shows; returns the texts it showed."""
    seen: list[str] = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, poll)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(20, poll)
    return seen


@pytest.fixture
def workflow_file(tmp_path: Path) -> Path:
    target = tmp_path / "hello.yaml"
    shutil.copy(EXAMPLE, target)
    return target


@pytest.fixture(autouse=True)
def _own_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Recovery files of this test only (the crashing process inherits the variable), and no question at close."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)


def test_work_of_a_killed_process_is_offered_and_restored(qtbot: QtBot, workflow_file: Path) -> None:
    crash_while_editing(workflow_file)
    seen = answer_next_question(QMessageBox.StandardButton.Yes)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert "while hello.yaml (autosaved " in seen[0] and "Restore them?" in seen[0]
    page = window.editor
    assert page.document.workflow.name == "Changed before the crash"
    assert page.document.path == workflow_file and page.document.is_modified()
    assert "Changed before the crash" not in workflow_file.read_text(), "the person's file is untouched until saved"
    assert page.leftovers() == [], "restored work is no longer offered"


def test_declined_work_is_not_offered_again(qtbot: QtBot, workflow_file: Path) -> None:
    crash_while_editing(workflow_file)
    seen = answer_next_question(QMessageBox.StandardButton.No)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert window.editor.document.workflow.name != "Changed before the crash"
    assert window.editor.leftovers() == []
    mine = window.editor.recovery.file.name
    assert [f.name for f in window.editor.recovery.folder.glob("*.yaml") if f.name != mine] == []


def test_the_folder_is_this_tests_own(tmp_path: Path) -> None:
    from gui.editor.recovery import recovery_dir

    assert recovery_dir().is_relative_to(tmp_path)
