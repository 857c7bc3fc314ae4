"""Small table editors for list and mapping parameters (and the workflow's variables)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.registry import MISSING, Param
from gui.inspector.editors import FieldEditor
from gui.inspector.values import cell_value, to_text

ROW_HEIGHT = 26


class TableEditor(FieldEditor):
    """A table with + and − buttons; subclasses say how rows map to the value."""

    columns: tuple[str, ...] = ("Value",)

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self._original: Any = MISSING
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.table = QTableWidget(0, len(self.columns))
        self.table.setHorizontalHeaderLabels(list(self.columns))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._emit)
        column.addWidget(self.table)
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        self.add_button = _tool("+", "Add a row", self.add_row)
        self.remove_button = _tool("−", "Remove the selected rows", self.remove_rows)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.layout_.addWidget(box)
        self._fit()

    def input_widget(self) -> QWidget:
        return self.table

    def add_row(self) -> None:
        self._silent = True
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col in range(len(self.columns)):
            self.table.setItem(row, col, QTableWidgetItem(""))
        self._silent = False
        self._fit()
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))

    def remove_rows(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.rowCount():
            rows = [self.table.rowCount() - 1]
        for row in rows:
            self.table.removeRow(row)
        self._fit()
        self._emit()

    def _cells(self) -> list[list[str]]:
        out = []
        for row in range(self.table.rowCount()):
            out.append([_text(self.table.item(row, c)) for c in range(len(self.columns))])
        return out

    def _fill(self, rows: list[list[str]]) -> None:
        self.table.setRowCount(0)
        for cells in rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self._fit()

    def _fit(self) -> None:
        rows = max(1, min(self.table.rowCount(), 8))
        header = (
            self.table.horizontalHeader().sizeHint().height() if not self.table.horizontalHeader().isHidden() else 0
        )
        self.table.setFixedHeight(rows * ROW_HEIGHT + header + 4)


class ListEditor(TableEditor):
    columns = ("Items",)

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.table.horizontalHeader().setVisible(False)
        self._fit()

    def value(self) -> Any:
        originals = self._original if isinstance(self._original, list) else []
        items = []
        for i, (text,) in enumerate(self._cells()):
            if text:  # a row just added and not yet typed into is not an item
                items.append(cell_value(text, originals[i] if i < len(originals) else MISSING))
        return items if items else MISSING

    def _show(self, value: Any) -> None:
        self._original = value
        items = value if isinstance(value, list) else ([] if value is MISSING or value is None else [value])
        self._fill([[to_text(v)] for v in items])


class MappingEditor(TableEditor):
    columns = ("Name", "Value")

    def value(self) -> Any:
        originals = self._original if isinstance(self._original, dict) else {}
        mapping: dict[str, Any] = {}
        for key, text in self._cells():
            if key:
                mapping[key] = cell_value(text, originals.get(key, MISSING))
        return mapping if mapping or self.table.rowCount() else MISSING

    def _show(self, value: Any) -> None:
        self._original = value
        items = value.items() if isinstance(value, dict) else []
        self._fill([[str(k), to_text(v)] for k, v in items])


def _text(item: QTableWidgetItem | None) -> str:
    return item.text().strip() if item is not None else ""


def _tool(text: str, tip: str, slot: Any) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.setFixedSize(24, 22)
    button.clicked.connect(slot)
    return button
