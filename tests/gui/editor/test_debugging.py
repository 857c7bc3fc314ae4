"""Debugging from the canvas (gui/editor/debugging.py) with a real Engine, thread and process isolation: pause at
a breakpoint, the Variables pane, Copy path, Step, Continue, Stop; pins; Run from here and Run this step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from engine.registry import default_registry
from engine.runtime import Engine
from engine.runtime.history import History
from engine.runtime.pins import load_pins, pin
from gui.bridge import EngineBridge
from gui.editor import EditorPage, menus
from gui.editor import files as files_mod

FLOW = """flowdeck: 1
name: Debug me
vars: {{out: {out}}}
steps:
  fetch:
    do: log
    with: {{message: total 12}}
    next: save
  save:
    do: file.write
    with: {{path: "{{{{ vars.out }}}}", content: "{{{{ steps.fetch.message }}}}"}}
    next: done
  done:
    do: log
    with: {{message: finished}}
layout:
  fetch: [0, 0]
  save: [240, 0]
  done: [480, 0]
"""


@pytest.fixture(params=["thread", "process"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    history = History(tmp_path / "history.db")
    if request.param == "process":  # the app's engine: runs in worker processes, pauses cross the boundary
        eng = Engine(workers=1, history=history, isolation="process")
    else:
        eng = Engine(workers=2, registry=default_registry(), history=history)
    yield eng
    eng.shutdown(2)
    history.close()


@pytest.fixture
def page(qtbot: QtBot, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EditorPage:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    p = EditorPage(EngineBridge(engine))
    qtbot.addWidget(p)
    p.show()
    qtbot.waitExposed(p)
    path = tmp_path / "debug.yaml"
    path.write_text(FLOW.format(out=json.dumps(str(tmp_path / "saved.txt"))))
    assert p.open_file(path)
    return p


def finished(page: EditorPage, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: page.run_id is None, timeout=30000)


def paused_at(page: EditorPage, qtbot: QtBot, step: str) -> None:
    qtbot.waitUntil(lambda: page.paused is not None and page.paused.step == step, timeout=30000)


def row(page: EditorPage, *path: str) -> QTreeWidgetItem:
    """The Variables pane's row at ``path``, opening the rows on the way as a person clicks their arrows."""
    item = page.variables.tree.invisibleRootItem()
    for name in path:
        item.setExpanded(True)
        item = next(item.child(i) for i in range(item.childCount()) if item.child(i).text(0) == name)
    return item


def test_breakpoint_pauses_variables_copy_path_step_continue(page: EditorPage, qtbot: QtBot, tmp_path: Path) -> None:
    out = tmp_path / "saved.txt"
    assert page.toggle_breakpoint("save") is True
    assert page.scene.debug_marks.breakpoints == {"save": None}
    assert not page.actions_["continue"].isEnabled() and not page.actions_["step_over"].isEnabled()
    page.actions_["run"].trigger()  # F5 runs
    paused_at(page, qtbot, "save")
    assert page.scene.debug_marks.paused == "save" and page.view.hint_text() == "Paused before save"
    assert not out.exists(), "paused before the step that writes"
    assert page.actions_["continue"].isEnabled() and page.actions_["step_over"].isEnabled()
    assert page.actions_["stop"].isEnabled() and not page.actions_["run"].isEnabled()
    assert page.actions_["continue"].shortcut().toString() == "F5", "F5 continues while paused"
    assert page.variables_dock.isVisible()
    item = row(page, "steps", "fetch", "message")
    assert item.text(1) == '"total 12"'
    page.variables.tree.setCurrentItem(item)
    page.variables.tree.setFocus()
    qtbot.keyClick(page.variables.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "{{ steps.fetch.message }}"
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(page.variables.tree, Qt.Key.Key_C, modifiers)
    assert QGuiApplication.clipboard().text() == "total 12", "Ctrl+Shift+C copies the value"
    page.variables.search.setText("finished")  # in no value yet: nothing matches
    assert row(page, "steps").isHidden() and row(page, "vars").isHidden()
    page.variables.search.setText("total")
    assert not row(page, "steps", "fetch", "message").isHidden() and row(page, "vars").isHidden()
    assert row(page, "steps", "fetch").isExpanded(), "the way to a match is opened"
    page.variables.search.setText("")
    assert not row(page, "vars").isHidden()
    page.actions_["step_over"].trigger()  # F10: save runs, the run pauses before done
    paused_at(page, qtbot, "done")
    assert out.read_text() == "total 12"
    page.actions_["continue"].trigger()
    finished(page, qtbot)
    assert page.paused is None and page.scene.debug_marks.paused is None
    assert page.scene.nodes["done"].status == "succeeded" and "succeeded" in page.view.hint_text()
    assert page.actions_["run"].shortcut().toString() == "F5", "F5 runs again"


def test_run_to_here_pauses_at_that_step(page: EditorPage, qtbot: QtBot, tmp_path: Path) -> None:
    page.toggle_breakpoint("fetch")
    page.run()
    paused_at(page, qtbot, "fetch")
    menu = menus.build(page, "step", "done", page.scene.nodes["done"].pos())
    run_to = next(a for a in menu.actions() if a.objectName() == "menu_run_to")
    assert run_to.isEnabled()
    run_to.trigger()
    paused_at(page, qtbot, "done")
    assert (tmp_path / "saved.txt").read_text() == "total 12", "fetch and save ran on the way"
    page.run_or_continue()  # F5 continues
    finished(page, qtbot)
    assert "succeeded" in page.view.hint_text()


def test_stop_while_paused_cancels(page: EditorPage, qtbot: QtBot, tmp_path: Path) -> None:
    page.toggle_breakpoint("save")
    page.run()
    paused_at(page, qtbot, "save")
    page.actions_["stop"].trigger()
    finished(page, qtbot)
    assert "cancelled" in page.view.hint_text() and not (tmp_path / "saved.txt").exists()
    assert page.scene.debug_marks.paused is None


def test_breakpoint_condition_pauses_only_when_it_holds(page: EditorPage, qtbot: QtBot, tmp_path: Path) -> None:
    page.toggle_breakpoint("save")
    dialog = page.edit_condition("save")
    dialog.edit.setText("steps.fetch.message == 'other'")  # a bare expression is taken as {{ … }}
    dialog._accept()
    assert page.breakpoints == {"save": "{{ steps.fetch.message == 'other' }}"}
    page.document.rename_step("save", "write")
    assert page.breakpoints == {"write": "{{ steps.fetch.message == 'other' }}"}, "it follows a renamed step"
    assert page.scene.debug_marks.breakpoints == page.breakpoints
    page.run()
    finished(page, qtbot)
    assert (tmp_path / "saved.txt").read_text() == "total 12", "the condition did not hold: no pause"


def test_pin_then_run_uses_the_pin(page: EditorPage, qtbot: QtBot, tmp_path: Path) -> None:
    page.run()
    finished(page, qtbot)
    page.document.set_param("fetch", "message", "changed")
    assert page.pin_last_output("fetch")  # from the last run: total 12
    assert load_pins(page.document.path)["fetch"]["output"] == {"message": "total 12"}
    assert page.scene.debug_marks.pins == {"fetch"}
    page.run()
    finished(page, qtbot)
    assert (tmp_path / "saved.txt").read_text() == "total 12", "the pinned output stood in for fetch"
    assert page.scene.nodes["fetch"].status_text == "pinned"
    table = page.run_panel.table
    shown = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert "✓ Pinned" in shown.values() and "✓ Succeeded" in shown.values(), shown
    dialog = page.pin_typed("fetch")
    dialog.edit.setPlainText("message: [unclosed")
    dialog._accept()
    assert dialog.error.isVisible() and "line 1" in dialog.error.text()
    dialog.edit.setPlainText("{message: typed}")
    dialog._accept()
    page.run()
    finished(page, qtbot)
    assert (tmp_path / "saved.txt").read_text() == "typed"
    assert page.unpin_step("fetch") and page.scene.debug_marks.pins == set()
    page.run()
    finished(page, qtbot)
    assert (tmp_path / "saved.txt").read_text() == "changed"


def test_a_pin_follows_its_step_renamed_and_the_pins_file_has_it_once_saved(
    page: EditorPage, qtbot: QtBot, tmp_path: Path
) -> None:
    pin(page.document.path, "fetch", {"message": "pinned"})
    page.refresh_debug_marks()
    page.document.rename_step("fetch", "load")
    assert page.scene.debug_marks.pins == {"load"}, "the pin mark moved with the step"
    page.run()
    finished(page, qtbot)
    assert (tmp_path / "saved.txt").read_text() == "pinned", "the renamed step's pin stood in for it, unsaved"
    assert set(load_pins(page.document.path)) == {"fetch"}, "the file still says fetch: so do its pins"
    page.document.undo_stack.undo()
    assert page.scene.debug_marks.pins == {"fetch"} and not page.pin_renames
    page.document.undo_stack.redo()
    assert page.save()
    assert set(load_pins(page.document.path)) == {"load"}, "saved: the pins file has the new id"
    assert page.scene.debug_marks.pins == {"load"}


def test_run_from_here_and_run_this_step_use_the_last_run(page: EditorPage, qtbot: QtBot, tmp_path: Path) -> None:
    out = tmp_path / "saved.txt"
    page.run_from("save")
    assert (
        page.view.hint_text()
        == "Running from 'save': no earlier run of this workflow, so the steps before it have no outputs"
    )
    finished(page, qtbot)
    assert not out.exists() and "'fetch' is not defined" in page.view.hint_text()
    page.run()
    finished(page, qtbot)
    first = page.bridge.engine.history.last_run("Debug me").run_id
    page.document.set_param("fetch", "message", "not run")
    out.unlink()
    page.run_from("save")
    assert (
        page.view.hint_text() == f"Running from 'save', earlier outputs from run {first[:8]} (this workflow's last run)"
    )
    finished(page, qtbot)
    assert out.read_text() == "total 12" and page.scene.nodes["done"].status == "succeeded"
    assert page.scene.nodes["fetch"].status == "skipped", "fetch did not run again (dimmed as not run)"
    page.document.set_param("fetch", "message", "total 13")
    page.run()  # the last run must have run fetch: a run from 'save' has no output of it to give
    finished(page, qtbot)
    out.unlink()
    page.run_step("save")
    finished(page, qtbot)
    assert out.read_text() == "total 13" and page.scene.nodes["done"].status == "skipped", "save alone"
    assert page.bridge.engine.history.last_run("Debug me").source == "step"


def test_step_menu_has_the_debug_entries(page: EditorPage) -> None:
    menu = menus.build(page, "step", "save", page.scene.nodes["save"].pos())
    names = {a.objectName() for a in menu.actions()}
    assert {"menu_run_step", "menu_run_from", "menu_run_to", "menu_pin", "menu_breakpoint"} <= names
    assert "menu_unpin" not in names and "menu_condition" not in names
    next(a for a in menu.actions() if a.objectName() == "menu_breakpoint").trigger()
    assert page.breakpoints == {"save": None}
    pin(page.document.path, "save", {"path": "x"})
    menu = menus.build(page, "step", "save", page.scene.nodes["save"].pos())
    assert {"menu_unpin", "menu_condition"} <= {a.objectName() for a in menu.actions()}
    assert not next(a for a in menu.actions() if a.objectName() == "menu_run_to").isEnabled(), "nothing is paused"
    page.new_workflow()
    assert page.breakpoints == {} and page.scene.debug_marks.breakpoints == {}, "another document: none"
    assert not page.actions_["pin"].isEnabled(), "an unsaved workflow has no file to keep pins beside"


def test_a_run_of_the_apps_service_uses_no_pins_and_never_pauses(
    page: EditorPage, qtbot: QtBot, tmp_path: Path, engine: Engine
) -> None:
    from engine.scheduling.service import Service

    pin(page.document.path, "fetch", {"message": "pinned"})
    page.refresh_debug_marks()
    page.toggle_breakpoint("save")
    service = Service(tmp_path, engine=engine, state_dir=tmp_path / "state", webhook_port=None)
    try:
        handle = service.run_now(page.document.path)
        assert handle.future.result(timeout=30).status == "succeeded"
    finally:
        service.stop()
    assert (tmp_path / "saved.txt").read_text() == "total 12", "fetch ran for real: the pin is for the editor's runs"
    assert page.paused is None and page.run_id is None


def test_variables_pane_makes_rows_when_opened_and_searches_the_values(qtbot: QtBot) -> None:
    from gui.editor.variables import VariablesPane

    pane = VariablesPane()
    qtbot.addWidget(pane)
    big = {"vars": {}, "steps": {f"s{i}": {"json": {"items": list(range(400)), "total": i}} for i in range(50)}}
    pane.show_paused("held", big)
    assert len(pane._items) == 3 + 50, "only the open rows are made (vars, steps, trigger, the steps)"
    pane.search.setText("391")
    tree = pane.tree
    s7 = next(tree.topLevelItem(1).child(i) for i in range(50) if tree.topLevelItem(1).child(i).text(0) == "s7")
    assert not s7.isHidden() and s7.isExpanded()
    items = s7.child(0).child(0)
    assert items.text(0) == "items" and items.isExpanded()
    shown = [items.child(i).text(0) for i in range(items.childCount()) if not items.child(i).isHidden()]
    assert shown == ["391"]
    tree.setCurrentItem(next(items.child(i) for i in range(items.childCount()) if items.child(i).text(0) == "391"))
    assert pane.current_path() == "{{ steps.s7.json.items[391] }}"
