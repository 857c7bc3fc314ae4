"""The block palette, generated from the registry: one declaration per block drives its entry here too."""

from __future__ import annotations

import html

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.registry import BlockType, Registry, default_registry
from gui.canvas import style
from gui.canvas.view import BLOCK_MIME

TYPE_ROLE = Qt.ItemDataRole.UserRole + 1


def block_tooltip(block: BlockType) -> str:
    parts = [f"<b>{html.escape(block.title)}</b> <span style='color:gray'>({html.escape(block.type)})</span>"]
    parts.append(html.escape(block.help))
    if block.params:
        names = ", ".join(p.name + ("*" if p.required else "") for p in block.params)
        parts.append(f"<i>Settings:</i> {html.escape(names)}")
    parts.append("<span style='color:gray'>Drag onto the canvas, or double-click to add.</span>")
    return "<br>".join(parts)


class _Tree(QTreeWidget):
    """The list itself: dragging an entry carries its block type."""

    def mimeTypes(self) -> list[str]:
        return [BLOCK_MIME]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:
        data = QMimeData()
        kinds = [item.data(0, TYPE_ROLE) for item in items if item.data(0, TYPE_ROLE)]
        if kinds:
            data.setData(BLOCK_MIME, kinds[0].encode())
            data.setText(kinds[0])
        return data


class BlockPalette(QWidget):
    blockActivated = Signal(str)  # double-click or Enter: add this block

    def __init__(self, registry: Registry | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry if registry is not None else default_registry()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search blocks…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._activate_first)
        self.tree = _Tree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(QSize(20, 20))
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(8)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.tree.setObjectName("blockPalette")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.populate()

    def populate(self) -> None:
        self.tree.clear()
        for category, blocks in self.registry.categories().items():
            group = QTreeWidgetItem(self.tree, [category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setForeground(0, style.category_colour(category))
            tint = style.category_colour(category).name()
            for block in blocks:
                item = QTreeWidgetItem(group, [block.title])
                item.setData(0, TYPE_ROLE, block.type)
                item.setIcon(0, QIcon(style.icon_pixmap(block.icon, 40, tint)))
                item.setToolTip(0, block_tooltip(block))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
        self.tree.expandAll()

    def filter(self, text: str) -> None:
        """Show only blocks whose title, type, category or help mention every word typed."""
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                block = self.registry.get(item.data(0, TYPE_ROLE))
                hay = f"{block.title} {block.type} {block.category} {block.help}".lower() if block else ""
                hide = not all(w in hay for w in words)
                item.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)
            group.setExpanded(True)

    def visible_blocks(self) -> list[str]:
        found = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                if not group.isHidden() and not group.child(j).isHidden():
                    found.append(group.child(j).data(0, TYPE_ROLE))
        return found

    def item_for(self, block_type: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, TYPE_ROLE) == block_type:
                    return group.child(j)
        return None

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        kind = item.data(0, TYPE_ROLE)
        if kind:
            self.blockActivated.emit(kind)

    def _activate_first(self) -> None:
        visible = self.visible_blocks()
        if visible:
            self.blockActivated.emit(visible[0])
