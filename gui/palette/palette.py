"""The block palette, generated from the registry: one declaration per block drives its entry here too."""

from __future__ import annotations

import html

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.registry import BlockType, Registry, default_registry
from gui.canvas import style
from gui.canvas.view import BLOCK_MIME
from gui.palette import search

TYPE_ROLE = Qt.ItemDataRole.UserRole + 1
ORDER_ROLE = Qt.ItemDataRole.UserRole + 2  # declaration order, restored when the search is cleared
RANK_ROLE = Qt.ItemDataRole.UserRole + 3


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
        for index, (category, blocks) in enumerate(self.registry.categories().items()):
            group = QTreeWidgetItem(self.tree, [category])
            group.setData(0, ORDER_ROLE, index)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setForeground(0, style.category_colour(category))
            tint = style.category_colour(category).name()
            for order, block in enumerate(blocks):
                item = QTreeWidgetItem(group, [block.title])
                item.setData(0, TYPE_ROLE, block.type)
                item.setData(0, ORDER_ROLE, order)
                item.setIcon(0, QIcon(style.icon_pixmap(block.icon, 40, tint)))
                item.setToolTip(0, block_tooltip(block))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
        self.tree.expandAll()

    def filter(self, text: str) -> None:
        """Show only the blocks matching every word typed, best match first (exact name, prefix, word, help).

        The groups stay, but reorder: the group holding the best match comes first, and the first entry is
        selected, so Enter adds what the person sees on top."""
        ranks = {b.type: r for r, b in search.ranked(list(self.registry), text)}
        groups = [self.tree.takeTopLevelItem(0) for _ in range(self.tree.topLevelItemCount())]
        for group in groups:
            children = group.takeChildren()
            children.sort(key=lambda item: (ranks.get(item.data(0, TYPE_ROLE), 99), item.data(0, ORDER_ROLE)))
            group.addChildren(children)
            best = min((ranks.get(item.data(0, TYPE_ROLE), 99) for item in children), default=99)
            group.setData(0, RANK_ROLE, best)
        groups.sort(key=lambda g: (g.data(0, RANK_ROLE), g.data(0, ORDER_ROLE)))
        self.tree.addTopLevelItems(groups)
        for group in groups:  # hiding sticks only once the items are in the tree again
            for j in range(group.childCount()):
                group.child(j).setHidden(group.child(j).data(0, TYPE_ROLE) not in ranks)
            group.setHidden(group.data(0, RANK_ROLE) == 99)
            group.setExpanded(True)
        first = self.visible_blocks()[:1]
        self.tree.setCurrentItem(self.item_for(first[0]) if first and text.strip() else None)

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
