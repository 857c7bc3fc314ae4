"""The secret picker: stored secret names, plus "New secret…" that puts a value in the OS keyring.

Only the NAME goes into the workflow; the value lives in the keyring under the service the runtime reads
(engine.cli.cmd_secret keeps the list of names, since a keyring cannot list what it holds).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from engine.cli import cmd_secret
from engine.registry import MISSING, Param
from gui.inspector.editors import FieldEditor

NEW = "New secret…"


def store_secret(name: str, value: str) -> str | None:
    """Store ``value`` in the keyring as ``name`` and remember the name; returns a problem or None."""
    import keyring
    from keyring.errors import KeyringError

    if not cmd_secret.NAME.match(name):
        return "use letters, digits, _ . and - (start with a letter)"
    if not value:
        return "the value is empty"
    try:
        keyring.set_password(cmd_secret.SERVICE, name, value)
    except KeyringError as exc:
        return f"the system keyring is not usable here ({exc})"
    cmd_secret.write_index([*cmd_secret.read_index(), name])
    return None


class NewSecretDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New secret")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. smtp_password")
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = QLabel()
        self.problem.setObjectName("fieldProblem")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Value", self.secret)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        note = QLabel("The value is kept in the system keyring, never in the workflow file.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def save(self) -> None:
        problem = store_secret(self.name.text().strip(), self.secret.text())
        if problem:
            self.problem.setText(problem)
            return
        self.accept()


class SecretEditor(FieldEditor):
    """An editable combo of stored names; the last entry opens NewSecretDialog."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self._last = ""  # the name shown before "New secret…" was picked, to return to on cancel
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setMinimumWidth(160)
        self.combo.lineEdit().setPlaceholderText("name of a stored secret")
        self._reload("")
        self.combo.lineEdit().textEdited.connect(self._emit)
        self.combo.activated.connect(self._picked)
        self.layout_.addWidget(self.combo, 1)

    def _reload(self, current: str) -> None:
        self._silent = True
        self.combo.clear()
        self.combo.addItems(cmd_secret.read_index())
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem(NEW)
        self.combo.setEditText(current)
        self._silent = False

    def _picked(self, index: int) -> None:
        if self.combo.itemText(index) != NEW:
            self._emit()
            return
        dialog = NewSecretDialog(self)
        name = dialog.name.text().strip() if dialog.exec() == QDialog.DialogCode.Accepted else None
        self._reload(name if name else self._last)
        self._emit()

    def value(self) -> Any:
        text = self.combo.currentText().strip()
        return MISSING if not text or text == NEW else text

    def _show(self, value: Any) -> None:
        self._last = "" if value is MISSING or value is None else str(value)
        self.combo.setEditText(self._last)

    def _emit(self, *_: object) -> None:
        if self.combo.currentText() != NEW:
            self._last = self.combo.currentText()
        super()._emit()
