"""The Variables pane: what a paused debug run holds (vars, steps' outputs, loop, trigger, error) as a tree.

A search box filters the rows (by name or value); right-click or the keyboard copies a row's value (JSON) or its
path as the template that reads it (``{{ steps.fetch.json.total }}``), ready to paste into a step's settings.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QMenu, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.errors import one_line

SECTIONS = ("vars", "steps", "loop", "trigger", "error")
SEP = "\x1f"
SHOWN = 120  # characters of a value in its row (Copy Value copies it whole)
MAX_MATCHES = 200  # rows a search opens the way to
MAX_CHILDREN = 500  # rows under one list or mapping; the rest is one "…" row (Copy Value of the parent has it all)
PATH = Qt.ItemDataRole.UserRole  # the row's path, joined with SEP; its value is in VariablesPane._values


def template_path(parts: list[str]) -> str:
    """``["steps", "fetch", "json", "total"]`` → ``{{ steps.fetch.json.total }}`` (a list index as ``[3]``)."""
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return "{{ " + text + " }}"


def value_text(value: Any) -> str:
    """A value as it is copied: strings as they are, everything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


class VariablesPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variablesPane")
        self.title = QLabel("Nothing is paused. Toggle a breakpoint on a step (F9), then run.")
        self.title.setObjectName("variablesTitle")
        self.title.setWordWrap(True)
        self.search = QLineEdit(placeholderText="Search names and values…")
        self.search.setObjectName("variablesSearch")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.tree = _Tree(self)
        self.tree.setObjectName("variablesTree")
        self.tree.setHeaderLabels(["Name", "Value"])
        self.tree.setColumnWidth(0, 220)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.itemExpanded.connect(self._populate)
        self.copy_path_action = self._action("Copy &Path", QKeySequence("Ctrl+C"), self.copy_path)
        self.copy_value_action = self._action("Copy &Value", QKeySequence("Ctrl+Shift+C"), self.copy_value)
        self._values: dict[str, Any] = {}  # a row's path (joined with SEP) -> its value
        self._items: dict[str, QTreeWidgetItem] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)

    def _action(self, text: str, key: QKeySequence, fn: Any) -> QAction:
        """A menu entry showing its key; the key itself is _Tree's (an action's shortcut would be one more Ctrl+C
        in the window, and Qt fires none of two)."""
        action = QAction(f"{text}\t{key.toString(QKeySequence.SequenceFormat.NativeText)}", self.tree)
        action.setData(key)
        action.triggered.connect(fn)
        return action

    # -- content -----------------------------------------------------------------------------------
    # Rows are made when their parent is opened (a paused run may hold thousands of values); the search walks the
    # values themselves and opens the way to each match.
    def show_paused(self, step: str, data: dict[str, Any]) -> None:
        """Show what the run paused before ``step`` holds."""
        self.title.setText(f"Paused before '{step}'")
        self.clear_paused(f"Paused before '{step}'")
        for name in SECTIONS:
            if name in ("loop", "error") and data.get(name) is None:
                continue  # outside a loop body / an error route there is none: a row saying null only clutters
            item = self._item(self.tree.invisibleRootItem(), name, data.get(name), [name])
            item.setExpanded(name in ("vars", "steps"))
        self._filter(self.search.text())

    def clear_paused(self, text: str) -> None:
        self.title.setText(text)
        self.tree.clear()
        self._values = {}
        self._items: dict[str, QTreeWidgetItem] = {}

    def _item(self, parent: QTreeWidgetItem, name: str, value: Any, path: list[str]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [name, self._summary(value)])
        key = SEP.join(path)
        item.setData(0, PATH, key)  # a string: a Python value as item data would be copied into Qt's types, slowly
        self._values[key] = value
        self._items[key] = item
        if _children(value):
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        return item

    def _populate(self, item: QTreeWidgetItem) -> None:
        """The rows under ``item``, made the first time it is opened."""
        key = item.data(0, PATH)
        if key is None or item.childCount():
            return
        path = key.split(SEP)
        children = _children(self._values[key])
        for name, child in children[:MAX_CHILDREN]:
            self._item(item, name, child, [*path, name])
        if len(children) > MAX_CHILDREN:
            more = f"{len(children) - MAX_CHILDREN:,} more (Copy Value of '{path[-1]}' has all)"
            QTreeWidgetItem(item, ["…", more])

    def _open_to(self, path: list[str]) -> None:
        """Make and open the rows down to ``path``."""
        for depth in range(1, len(path)):
            parent = self._items.get(SEP.join(path[:depth]))
            if parent is None:
                return
            self._populate(parent)
            parent.setExpanded(True)

    @staticmethod
    def _summary(value: Any) -> str:
        if isinstance(value, dict):
            return f"{{{len(value)} key{'s' * (len(value) != 1)}}}" if value else "{}"
        if isinstance(value, list):
            return f"[{len(value)} item{'s' * (len(value) != 1)}]" if value else "[]"
        return one_line(json.dumps(value, ensure_ascii=False, default=str), SHOWN)

    def _filter(self, text: str) -> None:
        """Rows whose name or value holds ``text`` stay, with their parents (open, so the match is in sight)."""
        needle = text.strip().lower()
        root = self.tree.invisibleRootItem()
        keep: set[str] = set()  # the matches and the rows on the way to them
        hits: set[str] = set()  # the matches: what is under them stays visible when opened
        if needle:
            for i in range(root.childCount()):
                top = root.child(i).data(0, PATH)
                for path in _matches(top, self._values[top], needle, MAX_MATCHES - len(hits)):
                    self._open_to(path)
                    hits.add(SEP.join(path))
                    keep.update(SEP.join(path[:d]) for d in range(1, len(path) + 1))
        for key, item in self._items.items():
            item.setHidden(bool(needle) and key not in keep and not _under(key, hits))

    # -- copying -----------------------------------------------------------------------------------
    def current_path(self) -> str | None:
        item = self.tree.currentItem()
        key = item.data(0, PATH) if item is not None else None
        return template_path(key.split(SEP)) if key else None

    def copy_path(self) -> str | None:
        text = self.current_path()
        if text is not None:
            QGuiApplication.clipboard().setText(text)
        return text

    def copy_value(self) -> str | None:
        item = self.tree.currentItem()
        if item is None or item.data(0, PATH) is None:
            return None
        text = value_text(self._values[item.data(0, PATH)])
        QGuiApplication.clipboard().setText(text)
        return text

    def _menu(self, pos: Any) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        menu = QMenu(self.tree)
        menu.setObjectName("variablesMenu")
        menu.addAction(self.copy_path_action)
        menu.addAction(self.copy_value_action)
        menu.exec(self.tree.viewport().mapToGlobal(pos))


def _children(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list):
        return [(str(i), v) for i, v in enumerate(value)]
    return []


def _matches(key: str, value: Any, needle: str, limit: int) -> list[list[str]]:
    """The paths under ``key`` (itself included) whose name or plain value holds ``needle``, at most ``limit``."""
    found: list[list[str]] = []
    todo = [(key.split(SEP), value)]
    while todo and len(found) < limit:
        path, value = todo.pop()
        children = _children(value)
        if needle in path[-1].lower() or (not children and needle in str(value).lower()):
            found.append(path)
        todo.extend(([*path, name], child) for name, child in reversed(children[:MAX_CHILDREN]))
    return found


def _under(key: str, hits: set[str]) -> bool:
    """``key`` is inside a matched row."""
    parts = key.split(SEP)
    return any(SEP.join(parts[:d]) in hits for d in range(1, len(parts)))


class _Tree(QTreeWidget):
    """Ctrl+C copies the row's path: an item view takes the Copy key for itself (its cell's text) otherwise."""

    def __init__(self, pane: VariablesPane) -> None:
        super().__init__(pane)
        self._pane = pane

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self._pane.copy_path()
            return
        if QKeySequence(event.keyCombination()) == self._pane.copy_value_action.data():
            self._pane.copy_value()
            return
        super().keyPressEvent(event)
