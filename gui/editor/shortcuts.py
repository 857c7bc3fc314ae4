"""Help ▸ Keyboard Shortcuts: every shortcut of the editor, read from its actions (the one source of truth)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget


def rows(actions: dict[str, QAction]) -> list[tuple[str, str, str, str]]:
    """(what, keys, where, tip) for every action with a shortcut, in the order the editor declares them."""
    from gui.editor.actions import CANVAS_ONLY

    out = []
    for name, action in actions.items():
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        if not keys:
            continue
        what = "Disable / Enable" if name == "disable" else action.text().replace("&", "").rstrip("…")
        out.append((what, ", ".join(keys), "canvas" if name in CANVAS_ONLY else "editor", action.toolTip()))
    return out


class ShortcutsDialog(QDialog):
    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard Shortcuts")
        box = QVBoxLayout(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search shortcuts (a command or a key, e.g. 'zoom' or 'Ctrl+D')")
        self.search.setClearButtonEnabled(True)
        box.addWidget(self.search)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Command", "Keys", "Where"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        box.addWidget(self.table)
        for what, keys, where, tip in rows(actions):
            r = self.table.rowCount()
            self.table.insertRow(r)
            for c, text in enumerate((what, keys, where)):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                self.table.setItem(r, c, item)
        self.search.textChanged.connect(self.filter)
        self.resize(560, 520)

    def filter(self, text: str) -> None:
        """Rows whose command, tip or keys have every word typed; a key typed as such (``Ctrl+G``) finds its row."""
        if "+" in text.strip(" +"):
            key = text.strip().lower().replace(" ", "")
            for r in range(self.table.rowCount()):
                keys = [k.lower().replace(" ", "") for k in self.table.item(r, 1).text().split(",")]
                self.table.setRowHidden(r, key not in keys)
            return
        words = text.lower().split()
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c).text() for c in range(3)] + [self.table.item(r, 0).toolTip()]
            row = " ".join(cells).lower()
            self.table.setRowHidden(r, not all(w in row for w in words))

    def visible_rows(self) -> list[tuple[str, str]]:
        return [
            (self.table.item(r, 0).text(), self.table.item(r, 1).text())
            for r in range(self.table.rowCount())
            if not self.table.isRowHidden(r)
        ]


def show(actions: dict[str, QAction], parent: QWidget | None = None) -> ShortcutsDialog:
    dialog = ShortcutsDialog(actions, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
