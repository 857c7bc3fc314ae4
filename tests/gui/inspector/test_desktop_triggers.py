"""The desktop trigger cards come from the declarations: the Add menu, their fields and event boxes, and the hotkey
card's "press the keys" recorder."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from engine.model.workflow import Trigger
from gui.document import WorkflowDocument
from gui.inspector import Inspector


def _add(inspector: Inspector, starts: str) -> None:
    menu = inspector.page.triggers.add.menu()
    next(action for action in menu.actions() if action.text().startswith(starts)).trigger()


def test_a_hotkey_is_recorded_by_pressing_it(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    inspector.show_step(None)
    _add(inspector, "Hotkey")
    assert document.workflow.triggers == [Trigger("hotkey", {"keys": "ctrl+alt+r"})]
    card = inspector.page.triggers.cards[0]
    card.recorder.click()
    assert card.recorder.isChecked()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(card.recorder, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)  # a modifier alone: waits
    assert card.recorder.isChecked()
    qtbot.keyClick(card.recorder, Qt.Key.Key_F5, modifiers)
    assert document.workflow.triggers == [Trigger("hotkey", {"keys": "ctrl+shift+f5"})]
    assert not card.recorder.isChecked()
    assert "When ctrl+shift+f5 is pressed" in card.words.text()


def test_a_window_card_edits_its_pattern_and_events(
    qtbot: QtBot, inspector: Inspector, document: WorkflowDocument
) -> None:
    inspector.show_step(None)
    _add(inspector, "Window")
    card = inspector.page.triggers.cards[0]
    assert list(card.lines) == ["app", "title"] and list(card.events) == ["opened", "focused", "closed"]
    assert card.events["opened"].isChecked() and not card.events["closed"].isChecked()
    card.events["closed"].setChecked(True)
    assert document.workflow.triggers[0].options["on"] == ["opened", "closed"]
    assert "is opened or closed" in card.words.text()
    _add(inspector, "Session")
    _add(inspector, "Device")
    _add(inspector, "Clipboard")
    assert [t.kind for t in document.workflow.triggers] == ["window", "session", "device", "clipboard"]
