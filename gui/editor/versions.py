"""File ▸ Version history…: the kept versions of the open file, a side-by-side diff of any two, and Restore.

The versions come from engine.versions (the same database ``flowdeck versions`` reads). Selecting one version
compares it with the version before it; selecting two compares the older with the newer. Restore puts the chosen
version into the open document as ONE undoable edit (Edit ▸ Undo brings back what was there); it does not save.
"""

from __future__ import annotations

import copy
import time
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.versions import Version, VersionStore, compare, side_by_side
from gui.document.state import WORKFLOW_FIELDS

if TYPE_CHECKING:
    from engine.model.workflow import Workflow
    from gui.document.document import WorkflowDocument

# line colours of the side-by-side view: translucent, so they read on light and dark themes alike
KIND_COLOURS = {
    "removed": QColor(220, 60, 60, 70),
    "added": QColor(60, 170, 80, 70),
    "changed": QColor(220, 170, 40, 70),
}
RESTORE_FIELDS = (*WORKFLOW_FIELDS, "comments", "key_order", "version")


def restore_into(document: WorkflowDocument, workflow: Workflow, label: str) -> None:
    """Make the open document ``workflow`` as ONE undoable edit ("Restore v3"), through the document's own edit
    command: the views follow its signals, and Undo brings back every step, position and setting."""
    ids = list(dict.fromkeys([*document.workflow.steps, *document.workflow.layout, *workflow.steps, *workflow.layout]))

    def change(wf: Workflow) -> None:
        wf.steps.clear()
        wf.steps.update(copy.deepcopy(workflow.steps))
        wf.layout.clear()
        wf.layout.update(copy.deepcopy(workflow.layout))
        for name in RESTORE_FIELDS:
            setattr(wf, name, copy.deepcopy(getattr(workflow, name)))

    document._push(f"Restore {label}", change, ids, structural=True, fields=RESTORE_FIELDS)


class VersionsDialog(QDialog):
    """The versions of one file, newest first, with the difference between the selected ones."""

    def __init__(self, document: WorkflowDocument, store: VersionStore | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.store = store if store is not None else VersionStore()
        self.file = document.path
        self.setObjectName("versionsDialog")
        self.setWindowTitle(f"Version history — {self.file.name if self.file else document.workflow.name}")
        self.list = QTreeWidget()
        self.list.setObjectName("versionsList")
        self.list.setHeaderLabels(["Version", "Saved", "By", "What changed"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setToolTip("Select one version to see what it changed, or two to compare them")
        self.heading = QLabel()
        self.heading.setObjectName("versionsHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.diff = _diff_table()
        self.restore_button = QPushButton("&Restore")
        self.restore_button.setObjectName("versionsRestore")
        self.restore_button.setToolTip("Put this version in the editor (one edit: Undo brings back what is there now)")
        self.restore_button.clicked.connect(self.restore_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.diff, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([self.fontMetrics().height() * 9, self.fontMetrics().height() * 30])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.versions: list[Version] = []
        self.list.itemSelectionChanged.connect(self._selected)
        self.reload()
        self._fit()

    def _fit(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None:
            self.resize(900, 640)
        else:
            self.resize(min(900, screen.width() - 40), min(640, screen.height() - 80))

    def reload(self) -> None:
        self.list.clear()
        self.versions = self.store.versions(self.file) if self.file is not None else []
        for v in self.versions:
            item = QTreeWidgetItem([v.label, _when(v.saved), _by(v.source), v.summary])
            item.setToolTip(3, v.summary)
            item.setData(0, Qt.ItemDataRole.UserRole, v.number)
            self.list.addTopLevelItem(item)
        for col in range(3):
            self.list.resizeColumnToContents(col)
        if self.versions:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        else:
            self.heading.setText(  # plain words: nothing of the person's in it
                "No versions kept yet: every save keeps one." if self.file else "Save the workflow to keep versions."
            )
        self._selected()

    def selected(self) -> list[Version]:
        """The selected versions, oldest first."""
        numbers = {item.data(0, Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()}
        return sorted((v for v in self.versions if v.number in numbers), key=lambda v: v.number)

    def select(self, *numbers: int) -> None:
        """Select these versions (what a click, then a Ctrl+click, does)."""
        self.list.clearSelection()
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) in numbers:
                item.setSelected(True)

    def _selected(self) -> None:
        chosen = self.selected()
        self.restore_button.setEnabled(len(chosen) == 1)
        self.restore_button.setText(f"&Restore {chosen[0].label}" if len(chosen) == 1 else "&Restore")
        if len(chosen) == 1:
            older = next((v for v in self.versions if v.number < chosen[0].number), None)
            self.show_diff(older, chosen[0])
        elif len(chosen) >= 2:
            self.show_diff(chosen[0], chosen[-1])

    def show_diff(self, old: Version | None, new: Version) -> None:
        old_text = self.store.text(old) if old is not None else ""
        new_text = self.store.text(new)
        change = compare(old_text if old is not None else None, new_text)
        left = f"{old.label} ({_when(old.saved)})" if old is not None else "nothing"
        lines = [f"<b>{escape(left)} → {new.label} ({_when(new.saved)})</b>: {escape(change.line())}"]
        for label, items in (
            ("Added", [f"{sid} ({block})" for sid, block in change.added.items()]),
            ("Removed", [f"{sid} ({block})" for sid, block in change.removed.items()]),
            ("Changed", [f"{sid}: {', '.join(keys)}" for sid, keys in change.changed.items()]),
        ):
            if items and (old is not None or label != "Added"):
                lines.append(f"{label}: " + escape(" · ".join(items)))
        self.heading.setText("<br>".join(lines))
        self.diff.setHorizontalHeaderLabels(["", left, "", f"{new.label} ({_when(new.saved)})"])
        _fill(self.diff, side_by_side(old_text, new_text))

    def restore_selected(self) -> bool:
        chosen = self.selected()
        if len(chosen) != 1:
            return False
        from engine.io import read_text

        version = chosen[0]
        workflow, _problems = read_text(self.store.text(version), str(self.file), self.document.registry)
        if workflow is None:
            QMessageBox.warning(self, "Cannot restore", f"{version.label} is not a workflow the editor can open.")
            return False
        restore_into(self.document, workflow, version.label)
        self.accept()
        return True


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _by(source: str) -> str:
    return {"app": "saved", "run": "run", "disk": "on disk"}.get(source, source)


def _diff_table() -> QTableWidget:
    table = QTableWidget(0, 4)
    table.setObjectName("versionsDiff")
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    header = table.horizontalHeader()
    for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch) * 2):
        header.setSectionResizeMode(col, mode)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 4)
    return table


def _fill(table: QTableWidget, rows: list[Any]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        brush = QBrush(KIND_COLOURS[row.kind]) if row.kind in KIND_COLOURS else None
        left = brush if row.kind != "added" else None
        right = brush if row.kind != "removed" else None
        cells = ((row.left_no, left), (row.left, left), (row.right_no, right), (row.right, right))
        for col, (value, cell_brush) in enumerate(cells):
            item = QTableWidgetItem("" if value is None else str(value))
            if col in (0, 2):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setForeground(table.palette().placeholderText())
            if cell_brush is not None:
                item.setBackground(cell_brush)
            table.setItem(r, col, item)


def open_versions(page: Any) -> VersionsDialog:
    """File ▸ Version history…: the dialog for the page's open document (modal)."""
    dialog = VersionsDialog(page.document, parent=page)
    dialog.open()
    return dialog
