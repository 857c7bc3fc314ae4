"""Watching the open workflow file for changes made outside the app, and the dialogs that follow one.

Editors save in two ways: writing the file in place, or writing a new file and renaming it over the old one (vim,
VS Code, gedit...). QFileSystemWatcher forgets a file that was replaced by a rename, so the folder is watched too
and the file is added again whenever it is back. A change only counts when the file's text differs from what the
editor last read or wrote (our own saves, and touching a file, are no change).
"""

from __future__ import annotations

import difflib
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget

from gui.inspector.widgets import monospace_font

SETTLE_MS = 150  # an editor's save is several file events; look once they have settled
RELOAD, KEEP, DIFF = "reload", "keep", "diff"


class FileWatch(QObject):
    """Emits ``changed(text)`` when the watched file's text differs from ``known``, ``removed()`` when it is gone."""

    changed = Signal(str)
    removed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.known: str | None = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._poke)
        self._watcher.directoryChanged.connect(self._poke)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._look)

    def watch(self, path: Path | None, known: str | None = None) -> None:
        """Watch ``path`` (None: nothing); ``known`` is its text as the editor has it (read now when not given)."""
        for old in self._watcher.files() + self._watcher.directories():
            self._watcher.removePath(old)
        self.path = path
        self.known = known if known is not None or path is None else _read(path)
        if path is not None:
            self._watcher.addPath(str(path.parent))
            self._add_file()

    def accept(self, text: str | None) -> None:
        """``text`` is now what the editor has (it wrote it, or the person chose to keep theirs over it)."""
        self.known = text

    def _add_file(self) -> None:
        if self.path is not None and self.path.exists() and str(self.path) not in self._watcher.files():
            self._watcher.addPath(str(self.path))

    def _poke(self, _where: str) -> None:
        self._add_file()  # replaced by a rename: the watcher dropped it
        self._settle.start()

    def _look(self) -> None:
        if self.path is None:
            return
        self._add_file()
        text = _read(self.path)
        if text is None:
            if self.known is not None:
                self.removed.emit()
            return
        if text != self.known:
            self.changed.emit(text)


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def ask_outside_change(parent: QWidget, name: str) -> str:
    """The file changed on disk while the editor has unsaved edits: RELOAD, KEEP (mine) or DIFF."""
    text = f"{name} was changed by another program, and you have unsaved changes."
    box = QMessageBox(QMessageBox.Icon.Warning, "Changed outside Flowdeck", text, parent=parent)
    box.setObjectName("changedOutside")
    box.setInformativeText("Reload it (your changes are lost), keep yours (saving replaces theirs), or compare them.")
    reload = box.addButton("Reload", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep mine", QMessageBox.ButtonRole.RejectRole)
    diff = box.addButton("Show the difference", QMessageBox.ButtonRole.ActionRole)
    box.setDefaultButton(diff)
    box.exec()
    return {id(reload): RELOAD, id(keep): KEEP, id(diff): DIFF}.get(id(box.clickedButton()), KEEP)


def diff_text(mine: str, theirs: str, name: str) -> str:
    lines = difflib.unified_diff(
        mine.splitlines(keepends=True), theirs.splitlines(keepends=True), f"{name} (yours)", f"{name} (on disk)"
    )
    return "".join(lines) or "The texts are the same."


def show_difference(parent: QWidget, mine: str, theirs: str, name: str) -> None:
    """A window with the changes from the editor's version to the file on disk (- yours, + on disk)."""
    dialog = QDialog(parent)
    dialog.setObjectName("differenceDialog")
    dialog.setWindowTitle(f"{name}: yours and on disk")
    view = QPlainTextEdit(diff_text(mine, theirs, name))
    view.setObjectName("differenceView")
    view.setReadOnly(True)
    view.setFont(monospace_font())
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    _colour(view)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel("Lines with − are only in yours, lines with + only in the file on disk."))
    layout.addWidget(view, 1)
    layout.addWidget(buttons)
    dialog.resize(720, 480)
    dialog.exec()


def _colour(view: QPlainTextEdit) -> None:
    """Removed lines red, added lines green (as every diff viewer shows them)."""
    from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor

    block = view.document().begin()
    while block.isValid():
        text = block.text()
        colour = "#d9534f" if text.startswith("-") else "#3c9a5f" if text.startswith("+") else ""
        if colour and not text.startswith(("---", "+++")):
            cursor = QTextCursor(block)
            cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            cursor.mergeCharFormat(fmt)
        block = block.next()
