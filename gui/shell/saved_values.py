"""The "Saved values" dialog: what a workflow keeps between runs (state.set, state.increment, http.changed), and a
way to forget it. Opened from a workflow's context menu on the workflows page; a view over engine.runtime.state."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.errors import StepError

if TYPE_CHECKING:  # imported when a dialog opens: SQLite and the store are not on the path to the first paint
    from engine.runtime.state import StateDB

KEY, VALUE, SET_AT = range(3)


class SavedValuesDialog(QDialog):
    """The saved values of one workflow file: key, value (as JSON) and when it was set; forget one or all."""

    def __init__(self, db: StateDB, path: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.workflow = db, str(Path(path).resolve())
        self.setWindowTitle(f"Saved values of {name}")
        self.resize(640, 360)
        about = QLabel(
            f"What “{name}” keeps between runs (state blocks, http.changed), stored in {db.path.name} "
            "in your data folder and shared with flowdeck run and flowdeck daemon."
        )
        about.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Key", "Value", "Set"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.forget = QPushButton("Forget selected")
        self.forget.setObjectName("forget")
        self.forget_all = QPushButton("Forget all")
        self.forget_all.setObjectName("forget_all")
        buttons.addButton(self.forget, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.forget_all, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.forget.clicked.connect(self._forget_selected)
        self.forget_all.clicked.connect(lambda: self._clear(None))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reload()

    def keys(self) -> list[str]:
        """The keys shown, in order (for tests and the buttons)."""
        return [self.table.item(i, KEY).text() for i in range(self.table.rowCount())]

    def reload(self) -> None:
        """Read the values again (another process may have changed them)."""
        try:
            entries = self.db.entries([self.workflow])
        except StepError as exc:
            entries = []
            self.message.setText(str(exc))
        else:
            self.message.setText("" if entries else "Nothing saved yet.")
        self.table.setRowCount(len(entries))
        for i, entry in enumerate(entries):
            value = json.dumps(entry.value, ensure_ascii=False)
            cells = (entry.key, value, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.set_at)))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(i, column, item)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.forget.setEnabled(bool(self.table.selectionModel().selectedRows()))
        self.forget_all.setEnabled(self.table.rowCount() > 0)

    def _forget_selected(self) -> None:
        for index in self.table.selectionModel().selectedRows():
            self._clear(self.table.item(index.row(), KEY).text(), reload=False)
        self.reload()

    def _clear(self, key: str | None, reload: bool = True) -> None:
        try:
            self.db.clear(self.workflow, key)
        except StepError as exc:
            self.message.setText(str(exc))
            return
        if reload:
            self.reload()


def attach(dashboard: Any, db: StateDB | None = None) -> None:
    """Give the workflows page's rows a context menu with "Saved values…" (opens the dialog for that workflow)."""
    table = dashboard.table
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def menu_at(pos: QPoint) -> None:
        menu = row_menu(dashboard, table.rowAt(pos.y()), db)
        if menu is not None:
            menu.exec(table.viewport().mapToGlobal(pos))

    table.customContextMenuRequested.connect(menu_at)


def row_menu(dashboard: Any, i: int, db: StateDB | None = None) -> QMenu | None:
    """The context menu of row ``i`` of the workflows page (None outside the rows)."""
    if not 0 <= i < len(dashboard.rows):
        return None
    row = dashboard.rows[i]
    menu = QMenu(dashboard.table)
    action = menu.addAction("Saved values…")
    action.setObjectName("saved_values")
    action.triggered.connect(lambda: open_dialog(dashboard, row.path, row.name, db))
    return menu


def open_dialog(parent: QWidget, path: str, name: str, db: StateDB | None = None) -> SavedValuesDialog:
    """Show the saved values of the workflow at ``path`` (the user's store unless ``db`` is given)."""
    from engine.runtime.state import StateDB

    dialog = SavedValuesDialog(db or StateDB.default(), path, name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
