"""Copy, paste and duplicate of steps with the sticky notes and groups selected with them, through the editor's
keys: what is pasted, where, and that one undo takes it all back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from engine.io import read_text
from gui.document.clipboard import pasted_steps
from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.mainwindow import MainWindow

FLOW = """flowdeck: 1
name: Notes and groups
steps:
  fetch:
    do: log
    with: {message: one}
    next: save
  save:
    do: log
    with: {message: "{{ steps.fetch.message }}"}
  side:
    do: log
    with: {message: three}
layout:
  fetch: [0, 0]
  save: [260, 0]
  side: [0, 200]
  note why: {at: [0, -160], size: [240, 100], colour: blue, text: "Runs **every** morning"}
  group Work: {colour: green, steps: [fetch, save]}
"""

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def page(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EditorPage:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    qtbot.waitExposed(win)
    path = tmp_path / "decor.yaml"
    path.write_text(FLOW)
    assert win.editor.open_file(path)
    qtbot.wait(150)  # the window's first popups come and go; then it is made active for the keys
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)  # shortcuts go to the active window's focus
    win.editor.view.setFocus()
    return win.editor


def _select(page: EditorPage, steps: list[str], notes: list[str] = [], groups: list[str] = []) -> None:  # noqa: B006
    page.scene.clearSelection()
    for sid in steps:
        page.scene.nodes[sid].setSelected(True)
    for name in notes:
        page.scene.notes[name].setSelected(True)
    for name in groups:
        page.scene.groups[name].setSelected(True)


def test_copy_and_paste_bring_the_selected_note_and_group_along_as_one_undo_step(page: EditorPage) -> None:
    wf, stack = page.document.workflow, page.document.undo_stack
    _select(page, [], notes=["why"], groups=["Work"])  # the group's frame: its steps come with it
    QTest.keyClick(page.view, Qt.Key.Key_C, CTRL)
    copied = yaml.safe_load(QGuiApplication.clipboard().text())
    assert sorted(copied["steps"]) == ["fetch", "save"]
    assert copied["layout"]["group Work"] == {"colour": "green", "steps": ["fetch", "save"]}
    assert copied["layout"]["note why"]["text"] == "Runs **every** morning"
    QTest.keyClick(page.view, Qt.Key.Key_V, CTRL)
    assert wf.groups["Work 2"].steps == ["fetch_2", "save_2"] and wf.groups["Work 2"].colour == "green"
    pasted = next(n for name, n in wf.notes.items() if name != "why")
    assert (pasted.text, pasted.colour) == ("Runs **every** morning", "blue")
    assert (pasted.at, pasted.size) == ([40, -120], [240, 100])  # moved as far as the steps
    assert wf.layout["fetch_2"] == [40, 40] and wf.steps["fetch_2"].next == {"next": ["save_2"]}
    assert wf.steps["save_2"].params["message"] == "{{ steps.fetch_2.message }}"
    assert set(page.scene.groups) == {"Work", "Work 2"} and len(page.scene.notes) == 2  # the canvas follows
    assert page.scene.selected_groups() == ["Work 2"] and sorted(page.scene.selected_steps()) == ["fetch_2", "save_2"]
    assert stack.undoText() == "Paste 2 steps, 1 note and 1 group"
    stack.undo()
    assert list(wf.notes) == ["why"] and list(wf.groups) == ["Work"] and sorted(wf.steps) == ["fetch", "save", "side"]
    assert set(page.scene.groups) == {"Work"} and len(page.scene.notes) == 1
    stack.redo()
    assert wf.groups["Work 2"].steps == ["fetch_2", "save_2"] and len(wf.notes) == 2


def test_duplicate_keeps_groups_to_the_copied_steps_and_pastes_into_another_file(page: EditorPage) -> None:
    wf = page.document.workflow
    _select(page, ["save", "side"], groups=["Work"])
    QTest.keyClick(page.view, Qt.Key.Key_D, CTRL)
    assert sorted(wf.steps) == ["fetch", "fetch_2", "save", "save_2", "side", "side_2"]
    assert wf.groups["Work 2"].steps == ["fetch_2", "save_2"]  # side_2 was not in the group: it stays out
    assert sorted(page.scene.selected_steps()) == ["fetch_2", "save_2", "side_2"]
    assert page.document.undo_stack.undoText() == "Paste 3 steps and 1 group"
    other, _ = read_text("flowdeck: 1\nname: Other\nlayout:\n  group Work 2: {steps: []}\n  note 1: {text: x}\n")
    assert other is not None
    pasted = pasted_steps(other, page.document.copy_yaml(["fetch"], ["why"], ["Work"]), at=(500, 500))
    assert [s.id for s in pasted.steps] == ["fetch"] and list(pasted.groups) == ["Work"]
    assert pasted.notes["why"].at == [500, 500] and pasted.positions["fetch"] == (500, 660)  # the note was on top


def test_cut_takes_a_selected_group_with_its_steps_and_a_note_alone_pastes(page: EditorPage) -> None:
    wf, stack = page.document.workflow, page.document.undo_stack
    _select(page, [], groups=["Work"])
    QTest.keyClick(page.view, Qt.Key.Key_X, CTRL)
    assert sorted(wf.steps) == ["side"] and wf.groups == {}
    QTest.keyClick(page.view, Qt.Key.Key_V, CTRL)
    assert wf.groups["Work"].steps == ["fetch", "save"]  # the names were free again
    stack.undo()
    stack.undo()
    assert sorted(wf.steps) == ["fetch", "save", "side"] and wf.groups["Work"].steps == ["fetch", "save"]
    _select(page, [], notes=["why"])
    QTest.keyClick(page.view, Qt.Key.Key_D, CTRL)
    assert len(wf.notes) == 2 and stack.undoText() == "Paste 1 note"
    assert page.scene.selected_notes() == [n for n in wf.notes if n != "why"]  # what was pasted is selected
    QTest.keyClick(page.view, Qt.Key.Key_D, CTRL)  # so Ctrl+D again duplicates the copy
    assert len(wf.notes) == 3
