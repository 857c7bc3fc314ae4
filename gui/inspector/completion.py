"""Completion of ``{{ ... }}`` expressions in text fields: steps.<id>.<output>, vars.<name>, trigger., loop., ...

The completer pops up while the cursor sits inside an open ``{{`` and completes the dotted name under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QRect, QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QPlainTextEdit, QWidget

from engine.cli.cmd_secret import read_index
from engine.model.workflow import Workflow
from engine.registry import Registry

_OPEN = re.compile(r"\{\{\s*([\w.]*)$")
FIXED = (
    "trigger.path",
    "trigger.time",
    "trigger.body",
    "trigger.query",
    "loop.item",
    "loop.index",
    "loop.first",
    "loop.last",
    "run.id",
    "run.workflow",
    "run.source",
    "error.message",
    "error.kind",
    "error.step",
    "env.HOME",
    "now",
)


def expressions(workflow: Workflow, registry: Registry, current: str | None) -> list[str]:
    """Every name an expression in step ``current`` can read, most specific first."""
    names: list[str] = []
    for sid, step in workflow.steps.items():
        if sid == current:
            continue
        block = registry.get(step.do)
        outputs = [o.name for o in block.outputs] if block is not None else []
        names += [f"steps.{sid}.{name}" for name in outputs] or [f"steps.{sid}"]
    names += [f"vars.{name}" for name in workflow.vars]
    names += list(FIXED)
    names += [f"secrets.{name}" for name in read_index()]
    return names


class ExpressionCompleter(QCompleter):
    """Attached to a QLineEdit or QPlainTextEdit; ``source()`` gives the current names when it pops up."""

    def __init__(self, field: QLineEdit | QPlainTextEdit, source: Callable[[], list[str]]) -> None:
        super().__init__(field)
        self._field = field
        self._source = source
        self._model = QStringListModel(self)
        self.setModel(self._model)
        self.setWidget(field)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.activated[str].connect(self._insert)
        if isinstance(field, QLineEdit):
            field.textEdited.connect(self._maybe_pop)
        else:
            field.textChanged.connect(self._maybe_pop)

    def _before_cursor(self) -> str:
        if isinstance(self._field, QLineEdit):
            return self._field.text()[: self._field.cursorPosition()]
        cursor = self._field.textCursor()
        return self._field.toPlainText()[: cursor.position()]

    def _maybe_pop(self, *_: object) -> None:
        if not self._field.hasFocus():
            return
        found = _OPEN.search(self._before_cursor())
        if found is None:
            self.popup().hide()
            return
        self._model.setStringList(self._source())
        self.setCompletionPrefix(found.group(1))
        if self.completionCount() == 0:
            self.popup().hide()
            return
        rect = self._cursor_rect()
        rect.setWidth(max(260, self.popup().sizeHintForColumn(0) + 24))
        self.complete(rect)

    def _cursor_rect(self) -> QRect:
        if isinstance(self._field, QLineEdit):
            return self._field.rect()
        return self._field.cursorRect()

    def _insert(self, name: str) -> None:
        before = self._before_cursor()
        found = _OPEN.search(before)
        if found is None:
            return
        start = found.start(1)
        if isinstance(self._field, QLineEdit):
            text, pos = self._field.text(), self._field.cursorPosition()
            after = text[pos:]
            close = "" if after.lstrip().startswith("}}") else " }}"
            new = text[:start] + name + close + after
            self._field.setText(new)
            self._field.setCursorPosition(start + len(name) + len(close))
            self._field.textEdited.emit(new)
            return
        cursor = self._field.textCursor()
        cursor.setPosition(start, cursor.MoveMode.KeepAnchor)
        after = self._field.toPlainText()[self._field.textCursor().position() :]
        cursor.insertText(name + ("" if after.lstrip().startswith("}}") else " }}"))
        self._field.setTextCursor(cursor)


def attach(field: QWidget, source: Callable[[], list[str]]) -> ExpressionCompleter | None:
    if isinstance(field, QLineEdit | QPlainTextEdit):
        return ExpressionCompleter(field, source)
    return None
