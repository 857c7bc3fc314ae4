"""Small dialogs of the canvas: a note's text, and the block picker shown where a wire was dropped."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from engine.registry import Registry


def note_text(text: str, parent: QWidget | None = None) -> str | None:
    """The note's new Markdown text, or None when the person cancels."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Note")
    box = QVBoxLayout(dialog)
    box.addWidget(QLabel("Markdown: **bold**, *italic*, - lists, [links](https://…), # headings"))
    edit = QPlainTextEdit(text)
    edit.setObjectName("noteText")
    edit.setMinimumSize(360, 180)
    box.addWidget(edit)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    box.addWidget(buttons)
    return edit.toPlainText() if dialog.exec() == QDialog.DialogCode.Accepted else None


def rank_blocks(registry: Registry, query: str) -> list[tuple[str, str]]:
    """(type, title) of the blocks matching ``query``: exact names first, then names starting with it, then the
    rest that mention it in their name, title or help."""
    q = query.strip().lower()
    scored = []
    for block in registry:
        names = (block.type.lower(), block.title.lower(), block.type.rsplit(".", 1)[-1].lower())
        if not q:
            rank = 3
        elif q in names:
            rank = 0
        elif any(n.startswith(q) for n in names):
            rank = 1
        elif any(q in n for n in names):
            rank = 2
        elif q in (block.help or "").lower():
            rank = 4
        else:
            continue
        scored.append((rank, block.category, block.title, block.type))
    return [(t, title) for _r, _c, title, t in sorted(scored)]


class BlockPicker(QFrame):
    """A search box over the blocks, shown as a popup; Enter or a click picks one (``picked``), Esc closes."""

    picked = Signal(str)

    def __init__(self, registry: Registry, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("blockPicker")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.registry = registry
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Add a block… (type to search)")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setMinimumSize(260, 280)
        box.addWidget(self.search)
        box.addWidget(self.list)
        self.search.textChanged.connect(self._fill)
        self.search.returnPressed.connect(self._pick_current)
        self.list.itemActivated.connect(lambda item: self._pick(item))
        self.list.itemClicked.connect(lambda item: self._pick(item))
        self.search.installEventFilter(self)
        self._fill("")

    def _fill(self, query: str) -> None:
        from gui.canvas.style import icon

        self.list.clear()
        for block_type, title in rank_blocks(self.registry, query):
            block = self.registry.get(block_type)
            item = QListWidgetItem(icon(block.icon if block else "block"), f"{title}   ({block_type})")
            item.setData(Qt.ItemDataRole.UserRole, block_type)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: object, event: object) -> bool:
        """Up and Down in the search box move through the list."""
        arrow = isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)
        if arrow and event.type() == QKeyEvent.Type.KeyPress:
            row = self.list.currentRow() + (1 if event.key() == Qt.Key.Key_Down else -1)
            self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
            return True
        return False

    def blocks(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def _pick_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._pick(item)

    def _pick(self, item: QListWidgetItem) -> None:
        block_type = item.data(Qt.ItemDataRole.UserRole)
        self.close()
        self.picked.emit(block_type)

    def show_at(self, where: QPoint) -> None:
        """Show with the top-left corner at ``where`` (global), moved in where it would run off the screen."""
        from PySide6.QtGui import QGuiApplication

        self.adjustSize()
        screen = QGuiApplication.screenAt(where) or QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            where = QPoint(
                max(room.left(), min(where.x(), room.right() - self.width())),
                max(room.top(), min(where.y(), room.bottom() - self.height())),
            )
        self.move(where)
        self.show()
        self.search.setFocus()
