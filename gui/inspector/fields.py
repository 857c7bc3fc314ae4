"""A labelled form row for one parameter: name (required marked), editor, reset, problem and help text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QToolButton, QWidget

from engine.io import Fix
from engine.registry import MISSING, Kind, Param
from gui.document.commands import end_typing
from gui.inspector import completion
from gui.inspector.editors import (
    AnyEditor,
    BoolEditor,
    ChoiceEditor,
    DurationEditor,
    FieldEditor,
    MultilineEditor,
    NumberEditor,
    PathEditor,
    TextEditor,
    label_text,
)
from gui.inspector.preview import PreviewLine
from gui.inspector.secrets import SecretEditor
from gui.inspector.tables import ListEditor, MappingEditor

_BY_KIND: dict[Kind, type[FieldEditor]] = {
    Kind.TEXT: TextEditor,
    Kind.MULTILINE: MultilineEditor,
    Kind.NUMBER: NumberEditor,
    Kind.INTEGER: NumberEditor,
    Kind.BOOL: BoolEditor,
    Kind.CHOICE: ChoiceEditor,
    Kind.PATH: PathEditor,
    Kind.DURATION: DurationEditor,
    Kind.SECRET: SecretEditor,
    Kind.LIST: ListEditor,
    Kind.MAPPING: MappingEditor,
    Kind.ANY: AnyEditor,
}
_TEXT_ONLY = (Kind.NUMBER, Kind.INTEGER, Kind.BOOL, Kind.CHOICE)
_ONE_SHOT = (Kind.BOOL, Kind.CHOICE)  # edited by one click, not by typing


def make_editor(param: Param, value: Any) -> FieldEditor:
    """The editor for ``param``; a value holding an expression gets a text field whatever the kind."""
    if param.kind == Kind.CODE:
        return MultilineEditor(param, code=True)
    if param.kind in _TEXT_ONLY and isinstance(value, str) and "{{" in value:
        return TextEditor(param)
    return _BY_KIND.get(param.kind, TextEditor)(param)


class FieldRow(QWidget):
    """One parameter in the form. ``edited(name, value)`` carries the value to write (MISSING = remove)."""

    edited = Signal(str, object)
    fixRequested = Signal(object)  # the engine.io.Fix of the problem shown

    def __init__(self, param: Param, value: Any, names: Callable[[], list[str]] | None = None) -> None:
        super().__init__()
        self.param = param
        self.editor = make_editor(param, value)
        self.editor.set_value(value)
        self._written = value is not MISSING
        self.label = QLabel(_label(param))
        self.label.setObjectName("fieldLabel")
        self.label.setToolTip(param.help)
        self.reset = QToolButton()
        self.reset.setText("↺")
        self.reset.setAutoRaise(True)
        self.reset.setToolTip("Back to the default" if param.has_default else "Clear")
        self.reset.clicked.connect(self._reset)
        self.preview = PreviewLine()  # the template's value in the last run (gui.inspector.preview)
        self.previewer: Callable[[Any], Any] | None = None
        self._previewed: tuple[Any, Any] | None = None  # (value, previewer generation) last rendered
        self.problem = QLabel()
        self.problem.setObjectName("fieldProblem")
        self.problem.setWordWrap(True)
        self.fix_button = QToolButton()  # a typo's mend ("Rename to message"), shown with the problem
        self.fix_button.setObjectName("fixButton")
        self.fix_button.clicked.connect(lambda: self.fixRequested.emit(self._fix))
        self.fix_button.hide()
        self._fix: Fix | None = None
        self.help = QLabel(param.help)
        self.help.setObjectName("fieldHelp")
        self.help.setWordWrap(True)
        self.help.setVisible(bool(param.help))
        self._layout()
        self.editor.edited.connect(self._write)
        if names is not None and param.templated and param.kind not in (Kind.SECRET, Kind.CHOICE, Kind.BOOL):
            self.completer = completion.attach(self.editor.input_widget(), names)
        self._update_reset()

    def _layout(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 6)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        if self.param.kind != Kind.BOOL:
            grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.reset, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.editor, 1, 0, 1, 2)
        grid.addWidget(self.preview, 2, 0, 1, 2)
        grid.addWidget(self.problem, 3, 0, 1, 2)
        grid.addWidget(self.fix_button, 4, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.help, 5, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        if self.param.kind == Kind.BOOL:
            grid.addWidget(self.editor, 0, 0)
            self.editor.setToolTip(self.param.help)

    def show_value(self, value: Any) -> None:
        """The model changed (undo, another view): show its value without writing it back."""
        self._written = value is not MISSING
        self.editor.set_value(value)
        self._update_reset()
        self.update_preview()

    def set_previewer(self, previewer: Callable[[Any], Any] | None) -> None:
        """``previewer(value)`` gives the Preview of a value holding a template (None: no line)."""
        self.previewer = previewer
        self._previewed = None
        self.update_preview()

    def update_preview(self) -> None:
        """Render the field's value as it is now (every key press: the last text typed is the one shown)."""
        if self.previewer is None or self.param.kind == Kind.SECRET or not self.param.templated:
            self.preview.show_preview(None)
            return
        value = self.editor.value()
        key = (value, getattr(self.previewer, "generation", None))
        if key == self._previewed:
            return  # the model echoing the value just typed back into the field: already shown
        self._previewed = key
        self.preview.show_preview(self.previewer(value) if value is not MISSING else None)

    def show_problem(self, message: str | None, fix: Fix | None = None) -> None:
        own = self.local_problem()
        text = own or message or ""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self._fix = fix if not own else None
        if self._fix is not None:
            self.fix_button.setText(self._fix.label)
            self.fix_button.setToolTip(f"{self._fix.label} (can be undone)")
        self.fix_button.setVisible(self._fix is not None)

    def local_problem(self) -> str | None:
        """What is wrong with the field's value right now, without waiting for the validator."""
        found = self.editor.parse_problem()
        if found:
            return found
        value = self.editor.value()
        if value is MISSING:
            return "required" if self.param.required and not self.param.has_default else None
        return self.param.check(value)

    def _write(self, value: Any) -> None:
        self._written = value is not MISSING
        if value is MISSING:
            self.editor.set_value(MISSING)
        self._update_reset()
        self.update_preview()
        self.show_problem(None)
        if self.editor.parse_problem() is None:
            self.edited.emit(self.param.name, value)
        if self.param.kind in _ONE_SHOT:
            end_typing()  # a click is a whole edit: the next one is an undo step of its own

    def _reset(self) -> None:
        self._write(MISSING)
        end_typing()

    def _update_reset(self) -> None:
        self.reset.setVisible(self._written and self.param.kind not in (Kind.LIST, Kind.MAPPING))


def _label(param: Param) -> str:
    name = label_text(param.name)
    return f"{name} <span style='color:#d9534f'>*</span>" if param.required else name
