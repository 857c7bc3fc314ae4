"""New from Template…: the templates listed, and for the one picked its description, what starts it, its steps and a
small read-only canvas of it, to look at before a copy is made."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGraphicsView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui.shell.templates import list_templates, preview

PATH_ROLE = Qt.ItemDataRole.UserRole


class PreviewCanvas(QGraphicsView):
    """The template's steps as the editor draws them, fitted into the view; nothing in it can be changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateCanvas")
        self.setInteractive(False)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(360, 200)

    def show_file(self, path: Path) -> None:
        from engine.io import read_file  # loaded when the dialog opens, not at start-up
        from gui.canvas.scene import WorkflowScene
        from gui.document.document import WorkflowDocument

        wf, _ = read_file(path, check=False)
        old = self.scene()
        self.setScene(WorkflowScene(WorkflowDocument(wf)) if wf is not None else None)
        if old is not None:
            old.deleteLater()
        self.fit()

    def steps(self) -> list[str]:
        scene = self.scene()
        return list(getattr(scene, "nodes", {}))

    def fit(self) -> None:
        """The whole workflow in view, never drawn larger than in the editor at 100 %."""
        scene = self.scene()
        if scene is None:
            return
        rect = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        self.resetTransform()
        self.setSceneRect(rect)
        if rect.width() > self.viewport().width() or rect.height() > self.viewport().height():
            self.fitInView(QRectF(rect), Qt.AspectRatioMode.KeepAspectRatio)
        self.centerOn(rect.center())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit()


class TemplateDialog(QDialog):
    """Pick a template: Create (or Enter, or a double-click) makes the copy; ``chosen()`` is the template's file."""

    def __init__(self, folder: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from Template")
        self.setObjectName("templateDialog")
        self.list = QListWidget()
        self.list.setObjectName("templateList")
        self.list.setSpacing(2)  # rows a finger apart, not packed
        for title, path in sorted(list_templates(folder), key=lambda t: t[0].casefold()):
            item = QListWidgetItem(title)
            item.setData(PATH_ROLE, str(path))
            self.list.addItem(item)
        self.about = QLabel()
        self.about.setObjectName("templateAbout")
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.RichText)
        self.about.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.canvas = PreviewCanvas()
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(8, 0, 0, 0)
        column.addWidget(self.about)
        column.addWidget(self.canvas, 1)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 560])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create")
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.currentItemChanged.connect(self._show)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self._fit_screen(860, 560)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.create_button.setEnabled(self.list.count() > 0)
        self.list.setFocus()

    def _fit_screen(self, width: int, height: int) -> None:
        """The wanted size, but never past the screen's edge (a small screen at 200 %)."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None:
            width, height = min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    def _show(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        path = Path(item.data(PATH_ROLE))
        self.about.setText(preview(path))
        self.canvas.show_file(path)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return item.data(PATH_ROLE) if item is not None else None
