"""The ask blocks' questions answered through the real dialog the app shows, from a run's worker thread."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from engine.desktop.ask import Question
from gui.shell.host import GuiHost


def _asked(qtbot: QtBot, host: GuiHost, question: Question) -> tuple[Any, dict[str, Any]]:
    """Ask from a worker thread; returns the dialog shown and a dict the reply lands in."""
    out: dict[str, Any] = {}
    with qtbot.waitSignal(host.answerer.shown, timeout=5000) as shown:
        threading.Thread(target=lambda: out.update(host.ask(question.as_dict())), daemon=True).start()
    return shown.args[0], out


def test_a_message_button_pressed_is_the_answer(qtbot: QtBot) -> None:
    host = GuiHost()
    dialog, out = _asked(qtbot, host, Question("message", "Send the report?", "It is ready", buttons=["Send", "Skip"]))
    assert dialog.windowTitle() == "Send the report?"
    qtbot.mouseClick(dialog.button("Send"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(out), timeout=5000)
    assert out == {"answer": "Send", "answered": True, "ended": "answered"}


def test_typed_text_and_a_form_come_back_as_typed(qtbot: QtBot) -> None:
    host = GuiHost()
    dialog, out = _asked(qtbot, host, Question("password", "Password?"))
    line = dialog.findChild(QLineEdit)
    assert line.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(line, "s3cret")
    qtbot.mouseClick(dialog.button("OK"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(out), timeout=5000)
    assert out == {"answer": "s3cret", "answered": True, "ended": "answered"}
    fields = [{"name": "city", "label": "City", "kind": "choice", "choices": ["Rome", "Oslo"]},
              {"name": "age", "label": "Age", "kind": "number", "default": 30}]  # fmt: skip
    dialog, out = _asked(qtbot, host, Question("form", "Details", fields=fields))
    dialog.findChild(QComboBox).setCurrentText("Oslo")
    qtbot.mouseClick(dialog.button("OK"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(out), timeout=5000)
    assert out == {"answer": {"city": "Oslo", "age": 30}, "answered": True, "ended": "answered"}


def test_the_dialog_closes_itself_at_the_timeout_unanswered(qtbot: QtBot) -> None:
    host = GuiHost()
    _dialog, out = _asked(qtbot, host, Question("text", "Name?", default="Ann", timeout=0.3))
    qtbot.waitUntil(lambda: bool(out), timeout=5000)
    assert out == {"answer": None, "answered": False, "ended": "timeout"}
    assert host.answerer.open_dialogs == []


def test_a_question_closed_by_the_person_or_by_quitting_says_so(qtbot: QtBot) -> None:
    """Closing the dialog (Esc, the window's X) and quitting the app are told apart from a timeout, so that the
    step's error says what happened."""
    host = GuiHost()
    dialog, out = _asked(qtbot, host, Question("text", "Name?", timeout=60))
    dialog.reject()
    qtbot.waitUntil(lambda: bool(out), timeout=5000)
    assert out["ended"] == "closed" and not out["answered"]
    dialog, out = _asked(qtbot, host, Question("text", "Name?", timeout=60))
    host.end_questions()  # what the app's Quit calls (the real quit: tests/e2e/test_workers_app.py)
    qtbot.waitUntil(lambda: bool(out), timeout=5000)
    assert out["ended"] == "quit" and host.answerer.open_dialogs == []
