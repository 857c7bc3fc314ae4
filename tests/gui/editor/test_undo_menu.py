"""The Edit menu's Undo and Redo say what they undo, and follow New/Open to the new document's history."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from engine.io import read_text
from gui.editor import EditorPage

TEXT = """
flowdeck: 1
name: Undo labels
steps:
  log: {do: log, with: {message: hi}}
"""


def test_undo_and_redo_items_name_the_edit(qtbot: QtBot) -> None:
    page = EditorPage()
    qtbot.addWidget(page)
    undo, redo = page.actions_["undo"], page.actions_["redo"]
    assert undo.text() == "&Undo" and not undo.isEnabled()
    page.set_document(page.new_document(read_text(TEXT)[0]))
    page.document.set_param("log", "message", "hello")
    assert undo.text() == "&Undo Change message of log"
    assert undo.toolTip() == "Undo Change message of log"
    page.document.undo_stack.undo()
    assert redo.text() == "&Redo Change message of log" and undo.text() == "&Undo"
    page.set_document(page.new_document())  # a fresh document: nothing to undo or redo
    assert undo.text() == "&Undo" and redo.text() == "&Redo"
