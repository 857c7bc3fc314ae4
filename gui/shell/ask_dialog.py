"""The app's answer to the ask blocks: a real dialog for an engine.desktop.ask Question.

``AskAnswerer.ask(question)`` is called on a worker thread (GuiHost.ask); the dialog is made and shown on the GUI
thread, never modal to the window, and the worker waits for the person (or the question's timeout, after which
the dialog closes itself and the block takes its default).
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.desktop.ask import Question


class _Pending:
    def __init__(self, question: Question) -> None:
        self.question = question
        self.done = threading.Event()
        self.reply: dict[str, Any] = {"answered": False}


class AskDialog(QDialog):
    """One question: buttons for a message, an input for a prompt, a form of fields."""

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question
        self.answer: Any = None
        self.answered = False
        self.setWindowTitle(question.title or "Flowdeck asks")
        self.setObjectName("askDialog")
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.setMinimumWidth(380)
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 14, 16, 12)
        column.setSpacing(8)
        head = QLabel(f"<b>{question.title}</b>")
        head.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(head)
        if question.message:
            text = QLabel(question.message)
            text.setWordWrap(True)
            column.addWidget(text)
        self.inputs: dict[str, Any] = {}
        if question.kind == "form":
            form = QFormLayout()
            for spec in question.fields:
                self.inputs[spec["name"]] = editor = _editor(spec["kind"], spec.get("choices", []), spec.get("default"))
                form.addRow(spec["label"], editor)
            column.addLayout(form)
        elif question.kind != "message":
            default = question.default if question.has_default else None
            self.inputs[""] = editor = _editor(question.kind, question.choices, default)
            column.addWidget(editor)
        self.buttons = QDialogButtonBox()
        for label in question.buttons if question.kind == "message" else ["OK"]:
            button = self.buttons.addButton(label, QDialogButtonBox.ButtonRole.AcceptRole)
            button.clicked.connect(lambda _c=False, text=label: self._pressed(text))
            if question.has_default and question.kind == "message":
                chosen = label == question.default  # Enter presses it, not the first button
                button.setAutoDefault(chosen)
                button.setDefault(chosen)
        column.addWidget(self.buttons)

    def button(self, label: str) -> QPushButton:
        return next(b for b in self.buttons.buttons() if b.text() == label)

    def _pressed(self, label: str) -> None:
        if self.question.kind == "message":
            self.answer = label
        elif self.question.kind == "form":
            self.answer = {name: _value(editor) for name, editor in self.inputs.items()}
        else:
            self.answer = _value(self.inputs[""])
        self.answered = True
        self.accept()


def _editor(kind: str, choices: list[str], default: Any) -> QWidget:
    if kind == "choice":
        box = QComboBox()
        box.addItems(choices)
        if default in choices:
            box.setCurrentText(str(default))
        return box
    if kind == "date":
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        given = QDate.fromString(str(default), "yyyy-MM-dd") if default else QDate.currentDate()
        edit.setDate(given if given.isValid() else QDate.currentDate())
        return edit
    if kind == "number":
        spin = QDoubleSpinBox()
        spin.setRange(-1e12, 1e12)
        spin.setDecimals(2)
        spin.setValue(float(default or 0))
        return spin
    if kind == "check":
        check = QCheckBox()
        check.setChecked(bool(default))
        return check
    line = QLineEdit("" if default is None else str(default))
    if kind == "password":
        line.setEchoMode(QLineEdit.EchoMode.Password)
    return line


def _value(editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QDateEdit):
        return editor.date().toString("yyyy-MM-dd")
    if isinstance(editor, QDoubleSpinBox):
        value = editor.value()
        return int(value) if value.is_integer() else value
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    return editor.text() if isinstance(editor, QLineEdit) else None


class AskAnswerer(QObject):
    """Shows questions from worker threads on the GUI thread and hands the answers back. ``shown(dialog)`` tells
    the app (and tests) that a dialog is up."""

    shown = Signal(object)
    _show = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show.connect(self._open, Qt.ConnectionType.QueuedConnection)
        self.open_dialogs: list[AskDialog] = []
        self._quitting = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.end_all)

    @Slot()
    def end_all(self) -> None:
        """The app quits: its open questions end now, and their runs are told why."""
        self._quitting = True
        for dialog in list(self.open_dialogs):
            dialog.reject()

    def ask(self, question: dict[str, Any]) -> dict[str, Any]:
        pending = _Pending(Question.from_dict(question))
        self._show.emit(pending)
        pending.done.wait()  # the dialog's own timer ends it; a closed app closes its dialogs
        return pending.reply

    @Slot(object)
    def _open(self, pending: _Pending) -> None:
        dialog = AskDialog(pending.question)
        self.open_dialogs.append(dialog)

        timed_out: list[bool] = []

        def finished() -> None:
            if dialog in self.open_dialogs:
                self.open_dialogs.remove(dialog)
            # why an unanswered question ended, so that the step's error says it (engine.desktop.ask)
            unanswered = "timeout" if timed_out else "quit" if self._quitting else "closed"
            ended = "answered" if dialog.answered else unanswered
            pending.reply = {"answer": dialog.answer, "answered": dialog.answered, "ended": ended}
            pending.done.set()
            dialog.deleteLater()

        def time_out() -> None:
            timed_out.append(True)
            dialog.reject()

        dialog.finished.connect(finished)
        if pending.question.timeout:
            QTimer.singleShot(int(pending.question.timeout * 1000), dialog, time_out)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.shown.emit(dialog)
