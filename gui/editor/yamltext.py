"""The YAML tab's text editor: line numbers with problem marks in a gutter, wavy underlines, YAML colours."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

ERROR = QColor("#d93025")
WARNING = QColor("#b26a00")


def _format(colour: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.DemiBold)
    fmt.setFontItalic(italic)
    return fmt


class YamlHighlighter(QSyntaxHighlighter):
    """Keys, strings, numbers and words like true/null, {{ expressions }} and comments, in theme-aware colours."""

    def __init__(self, document: QTextDocument, dark: bool) -> None:
        super().__init__(document)
        light = {"key": "#1f5fbf", "str": "#2e7d32", "num": "#8e44ad", "expr": "#b35900", "comment": "#7a7a7a"}
        night = {"key": "#7fb2ff", "str": "#8fd18f", "num": "#d7a6ff", "expr": "#ffb86b", "comment": "#9a9a9a"}
        c = night if dark else light
        key = _format(c["key"], bold=True)
        # (pattern, the group to colour, format); later rules paint over earlier ones
        self.rules = [
            (re.compile(r"""("([^"\\]|\\.)*"|'([^']|'')*')"""), 0, _format(c["str"])),
            (re.compile(r"(?<![\w.])(-?\d+(\.\d+)?|true|false|null|~)(?![\w.])"), 0, _format(c["num"])),
            (re.compile(r"^(\s*-\s+|\s*)([^\s#:{}\[\],'\"][^#:{}\[\],]*?)(?=:(\s|$))"), 2, key),
            (re.compile(r"(?<=[{,]\s)([\w.\-]+)(?=:\s)"), 1, key),
            (re.compile(r"\{\{.*?\}\}"), 0, _format(c["expr"])),
            (re.compile(r"(^|\s)#.*$"), 0, _format(c["comment"], italic=True)),
        ]

    def highlightBlock(self, text: str) -> None:
        for pattern, group, fmt in self.rules:
            for match in pattern.finditer(text):
                start, end = match.span(group)
                self.setFormat(start, end - start, fmt)


class _Gutter(QWidget):
    def __init__(self, editor: YamlText) -> None:
        super().__init__(editor)
        self.editor = editor
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_gutter(event)

    def mouseMoveEvent(self, event: object) -> None:  # the problems of a marked line, on hover
        line = self.editor.line_at(int(event.position().y()))  # type: ignore[attr-defined]
        marks = self.editor.marks.get(line, [])
        if marks:
            QToolTip.showText(event.globalPosition().toPoint(), "\n".join(m for _c, m, _s in marks), self)  # type: ignore[attr-defined]
        else:
            QToolTip.hideText()


class YamlText(QPlainTextEdit):
    """The text itself. ``marks``: line (1-based) -> [(column, message, severity)], set with ``show_marks``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("yamlText")
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTabChangesFocus(False)
        self.setUndoRedoEnabled(False)  # Undo is the document's: one history for canvas, inspector and text
        self.marks: dict[int, list[tuple[int, str, str]]] = {}
        self.gutter = _Gutter(self)
        self.blockCountChanged.connect(lambda _n: self.setViewportMargins(self.gutter_width(), 0, 0, 0))
        self.updateRequest.connect(self._scroll_gutter)
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        dark = self.palette().base().color().lightness() < 128
        self.highlighter = YamlHighlighter(self.document(), dark)
        self.before_undo = lambda: None  # the view applies pending typing before Undo runs

    # -- keys ------------------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        """Let Undo/Redo reach the window's actions (the text's own history is off)."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and (event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo))
        ):
            self.before_undo()
            event.ignore()
            return False
        return super().event(event)

    def keyPressEvent(self, event: object) -> None:
        if event.key() == Qt.Key.Key_Tab and not event.modifiers():  # type: ignore[attr-defined]
            self.insertPlainText("  ")  # YAML indents with spaces, never tabs
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]

    # -- gutter ----------------------------------------------------------------------------------
    def gutter_width(self) -> int:
        digits = max(3, len(str(self.blockCount())))
        return 14 + self.fontMetrics().horizontalAdvance("9") * digits

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        rect = self.contentsRect()
        self.gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def line_at(self, y: int) -> int:
        block = self.firstVisibleBlock()
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        while block.isValid():
            bottom = top + self.blockBoundingRect(block).height()
            if top <= y < bottom:
                return block.blockNumber() + 1
            top = bottom
            block = block.next()
        return 0

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self.gutter)
        base = self.palette().alternateBase().color()
        painter.fillRect(event.rect(), base)
        text_colour = self.palette().placeholderText().color()
        block = self.firstVisibleBlock()
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        height = self.fontMetrics().height()
        width = self.gutter.width()
        while block.isValid() and top <= event.rect().bottom():
            line = block.blockNumber() + 1
            bottom = top + self.blockBoundingRect(block).height()
            marks = self.marks.get(line)
            if marks:
                colour = ERROR if any(s == "error" for _c, _m, s in marks) else WARNING
                painter.fillRect(QRect(0, int(top), 4, int(bottom - top)), colour)
                painter.setPen(colour)
            else:
                painter.setPen(text_colour)
            painter.drawText(0, int(top), width - 6, height, Qt.AlignmentFlag.AlignRight, str(line))
            top = bottom
            block = block.next()

    # -- problem marks ---------------------------------------------------------------------------
    def show_marks(self, marks: dict[int, list[tuple[int, str, str]]]) -> None:
        """Mark each problem's line in the gutter and underline it from its column to the end of the line."""
        self.marks = marks
        selections = []
        doc = self.document()
        for line, found in marks.items():
            block = doc.findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            col, _message, severity = min(found)
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(ERROR if severity == "error" else WARNING)
            sel.format = fmt
            while block.isValid() and not block.text().strip() and block.blockNumber() > 0:
                block = block.previous()  # the end of the file: underline the last line written
                col = 1
            cursor = QTextCursor(block)
            text = block.text()
            if not text.strip():
                continue
            start = min(max(col - 1, len(text) - len(text.lstrip())), len(text) - 1)
            cursor.setPosition(block.position() + start)
            cursor.setPosition(block.position() + len(text), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            selections.append(sel)
        self.setExtraSelections(selections)
        self.gutter.update()

    def go_to_line(self, line: int) -> None:
        block = self.document().findBlockByNumber(max(line - 1, 0))
        cursor = QTextCursor(block)
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus()
