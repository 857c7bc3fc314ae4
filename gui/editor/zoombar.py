"""The zoom control under the canvas: the zoom as a percentage (type one, or pick), fit, 100 %, and the minimap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QToolButton, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from gui.canvas import WorkflowView

CHOICES = (25, 50, 75, 100, 150, 200, 300)
# The buttons, short (the menu bar has the long names): zoom out, the percentage, zoom in, fit, 100 %, minimap.
SHORT = (("zoom_out", "−"), (None, ""), ("zoom_in", "+"), ("zoom_fit", "Fit"), ("zoom_100", "1:1"), ("minimap", "Map"))


class ZoomBar(QWidget):
    def __init__(self, view: WorkflowView, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("zoomBar")
        self._view = view
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.percent = QComboBox()
        self.percent.setObjectName("zoomPercent")
        self.percent.setEditable(True)
        self.percent.setToolTip("Zoom: type a percentage and press Enter, or pick one")
        self.percent.addItems([f"{z} %" for z in CHOICES])
        self.percent.setMinimumContentsLength(6)
        self.percent.lineEdit().returnPressed.connect(lambda: self._typed(self.percent.currentText()))
        self.percent.activated.connect(lambda i: self._typed(self.percent.itemText(i)))
        for name, text in SHORT:
            if name is None:
                row.addWidget(self.percent)
                continue
            action = actions[name]
            button = QToolButton()
            button.setText(text)
            button.setToolTip(f"{action.toolTip()} ({action.shortcut().toString()})")
            button.setAutoRaise(True)
            button.setObjectName(f"zoomBar_{name}")
            if action.isCheckable():
                button.setCheckable(True)
                button.toggled.connect(action.setChecked)
                action.toggled.connect(button.setChecked)
            else:
                button.clicked.connect(action.trigger)
            row.addWidget(button)
        view.zoomChanged.connect(self.show_zoom)
        self.show_zoom(view.zoom())

    def show_zoom(self, zoom: float) -> None:
        self.percent.setEditText(f"{round(zoom * 100)} %")

    def _typed(self, text: str) -> None:
        digits = "".join(c for c in text if c.isdigit() or c == ".")
        try:
            value = float(digits) / 100
        except ValueError:
            self.show_zoom(self._view.zoom())
            return
        self._view.set_zoom(value)
        self.show_zoom(self._view.zoom())
