"""The YAML tab is a two-way editor: typed text that reads becomes one undoable model change (comments kept),
text that does not read is marked at its lines while the canvas keeps the last good model, and canvas edits
rewrite the text without moving the cursor."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from engine.io import dumps, read_text
from gui.editor import EditorPage
from gui.editor import files as files_mod

TEXT = """\
# Said every morning
flowdeck: 1
name: Greeting

steps:
  hello:
    do: log
    with: {message: hi}
"""


@pytest.fixture
def page(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EditorPage:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    path = tmp_path / "greeting.yaml"
    path.write_text(TEXT)
    page = EditorPage()
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    assert page.open_file(path)
    page.tabs.setCurrentWidget(page.yaml_view)
    qtbot.waitUntil(lambda: "hello:" in page.yaml_view.toPlainText(), timeout=3000)
    return page


def _type(qtbot: QtBot, editor: object, text: str) -> None:
    """Type ``text`` key by key (a line break is the Return key)."""
    for i, line in enumerate(text.split("\n")):
        if i:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        if line:
            qtbot.keyClicks(editor, line)


def _type_at_end(qtbot: QtBot, page: EditorPage, text: str) -> None:
    editor = page.yaml_view.text
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    _type(qtbot, editor, text)


def test_typed_step_becomes_one_undoable_change_with_comments_kept(qtbot: QtBot, page: EditorPage) -> None:
    _type_at_end(qtbot, page, "    next: bye   # then leave\n\n  bye:\n    do: log\n    with: {message: bye}\n")
    qtbot.waitUntil(lambda: "bye" in page.scene.nodes, timeout=3000)  # the canvas follows
    wf = page.document.workflow
    assert wf.steps["hello"].next == {"next": ["bye"]}
    assert wf.steps["bye"].params == {"message": "bye"}
    assert page.document.undo_stack.count() == 1  # the typing session is one undo step
    assert page.actions_["undo"].text() == "&Undo Edit YAML"
    saved = dumps(wf)  # what Save writes keeps what the person wrote
    assert saved.startswith("# Said every morning") and "next: bye  # then leave" in saved
    assert read_text(saved)[0].steps["hello"].next == {"next": ["bye"]}
    assert page.yaml_view.toPlainText().endswith("with: {message: bye}\n")  # the text stays as typed
    page.document.undo_stack.undo()
    assert "bye" not in page.document.workflow.steps
    qtbot.waitUntil(lambda: "bye" not in page.scene.nodes and "bye" not in page.yaml_view.toPlainText(), timeout=3000)


def test_text_that_does_not_read_is_marked_and_the_model_kept(qtbot: QtBot, page: EditorPage) -> None:
    before = dumps(page.document.workflow)
    _type_at_end(qtbot, page, "  bad: [unclosed\n")
    view = page.yaml_view
    qtbot.waitUntil(lambda: bool(view.problems), timeout=3000)
    assert dumps(page.document.workflow) == before and page.document.undo_stack.count() == 0
    assert view.problem_list.isVisibleTo(view) and "does not read" in view.status.text()
    (line,) = {p.line for p in view.problems}
    assert any(t.startswith(f"line {line}:") for t in view.problem_list.texts())
    assert line in view.text.marks  # the gutter mark
    assert view.text.extraSelections()  # the wavy underline
    editor = view.text
    editor.moveCursor(QTextCursor.MoveOperation.Up)
    editor.moveCursor(QTextCursor.MoveOperation.EndOfLine, QTextCursor.MoveMode.KeepAnchor)
    _type(qtbot, editor, "  bye: {do: log, with: {message: bye}}")  # mended: the text reads again
    qtbot.waitUntil(lambda: not view.problems and page.document.undo_stack.count() == 1, timeout=3000)
    assert not view.problem_list.isVisibleTo(view)
    assert "bye" in page.document.workflow.steps
    bye_line = view.toPlainText().splitlines().index("  bye: {do: log, with: {message: bye}}") + 1
    qtbot.waitUntil(lambda: bye_line in view.text.marks, timeout=3000)  # now the model's warning, where it stands
    assert "never runs" in view.text.marks[bye_line][0][1]


def test_canvas_edits_rewrite_the_text_keeping_the_cursor(qtbot: QtBot, page: EditorPage) -> None:
    editor = page.yaml_view.text
    cursor = editor.textCursor()
    block = editor.document().findBlockByNumber(2)  # "name: Greeting"
    cursor.setPosition(block.position() + 4)
    editor.setTextCursor(cursor)
    page.document.set_param("hello", "message", "good morning")
    qtbot.waitUntil(lambda: "good morning" in page.yaml_view.toPlainText(), timeout=3000)
    assert page.yaml_view.toPlainText() == dumps(page.document.workflow)
    cursor = editor.textCursor()
    assert (cursor.blockNumber(), cursor.positionInBlock()) == (2, 4)


def test_undo_key_in_the_text_undoes_the_model(qtbot: QtBot, page: EditorPage) -> None:
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=3000)  # window shortcuts need an active window
    _type_at_end(qtbot, page, "    title: Say hi\n")
    qtbot.keyClick(page.yaml_view.text, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # applies, then undoes
    assert page.document.workflow.steps["hello"].title == ""
    assert page.document.undo_stack.count() == 1 and page.document.undo_stack.canRedo()
