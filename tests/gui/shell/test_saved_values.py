"""The "Saved values" dialog of the workflows page over a real state database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot

from engine.runtime.state import StateDB
from gui.shell.dashboard import DashboardPage, DashboardRow
from gui.shell.saved_values import VALUE, SavedValuesDialog, attach, row_menu


def _db(tmp_path: Path, flow: Path) -> StateDB:
    db = StateDB(tmp_path / "state.sqlite3")
    store = db.store(str(flow.resolve()), "Counter")
    store.increment("runs", 3)
    store.set("seen", {"title": "Ü"})
    db.store(str((tmp_path / "other.yaml").resolve()), "Other").set("x", 1)
    return db


def test_dialog_lists_and_forgets_one_workflows_values(qtbot: QtBot, tmp_path: Path) -> None:
    flow = tmp_path / "counter.yaml"
    db = _db(tmp_path, flow)
    dialog = SavedValuesDialog(db, str(flow), "Counter")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Saved values of Counter"
    assert dialog.keys() == ["runs", "seen"]  # not the other workflow's
    assert [dialog.table.item(i, VALUE).text() for i in range(2)] == ["3", '{"title": "Ü"}']
    assert not dialog.forget.isEnabled() and dialog.forget_all.isEnabled()
    # not selectRow: it reads the keyboard's modifiers, which a Ctrl left down by an earlier test turns into a toggle
    model = dialog.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    model.select(dialog.table.model().index(0, 0), flags)
    assert dialog.forget.isEnabled()
    dialog.forget.click()
    assert dialog.keys() == ["seen"]
    assert db.store(str(flow.resolve()), "Counter").get("runs") is None
    dialog.forget_all.click()
    assert dialog.keys() == [] and dialog.message.text() == "Nothing saved yet."
    assert [e.key for e in db.entries()] == ["x"]  # the other workflow keeps its value


def test_context_menu_of_a_row_opens_the_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    flow = tmp_path / "counter.yaml"
    db = _db(tmp_path, flow)
    page = DashboardPage(tmp_path)
    qtbot.addWidget(page)
    attach(page, db)
    page.set_rows([DashboardRow("Counter", str(flow))])
    assert row_menu(page, 5, db) is None
    menu = row_menu(page, 0, db)
    assert menu is not None
    (action,) = menu.actions()
    assert action.text() == "Saved values…"
    action.trigger()
    dialog = page.findChild(SavedValuesDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.keys() == ["runs", "seen"]
    dialog.close()
