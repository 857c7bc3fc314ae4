"""One editor widget per parameter kind. Each reads and writes plain YAML values (``MISSING`` = not written).

Editors never touch the model: they emit ``edited(value)`` and the form hands it to the document.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from engine.model.durations import parse_duration
from engine.registry import MISSING, Kind, Param
from gui.inspector.values import from_text, to_text
from gui.inspector.widgets import monospace_font

BIG = 1_000_000_000


class FieldEditor(QWidget):
    """Base: a row widget holding one input; subclasses implement value/set_value."""

    edited = Signal(object)

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.param = param
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)
        self._silent = False

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        """Show ``value`` without emitting ``edited`` (the model changed, not the person)."""
        if value == self.value():
            return
        self._silent = True
        try:
            self._show(value)
        finally:
            self._silent = False

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def parse_problem(self) -> str | None:
        """A problem the editor sees before the value reaches the model (e.g. text that is no duration)."""
        return None

    def input_widget(self) -> QWidget:
        return self.layout_.itemAt(0).widget()

    def _emit(self, *_: object) -> None:
        if not self._silent:
            self.edited.emit(self.value())


class TextEditor(FieldEditor):
    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText(param.placeholder or _default_hint(param))
        self.line.setClearButtonEnabled(True)
        self.line.textEdited.connect(self._emit)
        self.layout_.addWidget(self.line)

    def value(self) -> Any:
        return from_text(self.line.text(), self.param.kind)

    def _show(self, value: Any) -> None:
        self.line.setText(to_text(value))
        self.line.setCursorPosition(0)


class PathEditor(TextEditor):
    """A path typed or chosen: the dialog fits the parameter (an existing file, a file to create, a folder)."""

    TIPS = {"open": "Choose a file", "save": "Choose where to write", "folder": "Choose a folder"}

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.browse = QToolButton()
        self.browse.setText("…")
        if param.browse == "any":
            self.browse.setToolTip("Choose a file or a folder")
            self.browse.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            menu = QMenu(self.browse)
            menu.addAction("Choose a &file…", lambda: self._choose("open"))
            menu.addAction("Choose a f&older…", lambda: self._choose("folder"))
            self.browse.setMenu(menu)
        else:
            self.browse.setToolTip(self.TIPS.get(param.browse, self.TIPS["open"]))
            self.browse.clicked.connect(lambda: self._choose(param.browse))
        self.layout_.addWidget(self.browse)

    def ask(self, mode: str, start: str) -> str:
        """The path the person picks in a file dialog ('' when cancelled)."""
        title = f"Choose {self.param.name}"
        if mode == "folder":
            return QFileDialog.getExistingDirectory(self, title, start)
        if mode == "save":
            options = QFileDialog.Option.DontConfirmOverwrite  # the block's own options say what happens to it
            return QFileDialog.getSaveFileName(self, title, start, options=options)[0]
        return QFileDialog.getOpenFileName(self, title, start)[0]

    def _choose(self, mode: str) -> None:
        start = self.line.text() if "{{" not in self.line.text() else ""
        path = self.ask(mode, start)
        if path:
            self.line.setText(path)
            self._emit()


class DurationEditor(TextEditor):
    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        if not param.placeholder and not param.has_default:
            self.line.setPlaceholderText("e.g. 30s, 5m, 1h")

    def parse_problem(self) -> str | None:
        value = self.value()
        if value is MISSING or (isinstance(value, str) and "{{" in value):
            return None
        try:
            parse_duration(value)
        except ValueError as exc:
            return str(exc)
        return None


class MultilineEditor(FieldEditor):
    def __init__(self, param: Param, parent: QWidget | None = None, *, code: bool = False) -> None:
        super().__init__(param, parent)
        self.edit = CodeText() if code else QPlainTextEdit()
        self.edit.setPlaceholderText(param.placeholder or _default_hint(param))
        self.edit.setTabChangesFocus(not code)
        lines = 8 if code else 4
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * lines + 14)
        self.edit.textChanged.connect(self._emit)
        self.layout_.addWidget(self.edit)

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return text if text else MISSING

    def _show(self, value: Any) -> None:
        self.edit.setPlainText(to_text(value))


class CodeText(QPlainTextEdit):
    """Monospace; Tab inserts four spaces, Shift+Tab leaves the field."""

    def __init__(self) -> None:
        super().__init__()
        self.setFont(monospace_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text() == "\t":
            self.insertPlainText("    ")
            return
        super().keyPressEvent(event)


class NumberEditor(FieldEditor):
    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        whole = param.kind == Kind.INTEGER
        self.spin: QSpinBox | QDoubleSpinBox = QSpinBox() if whole else QDoubleSpinBox()
        if isinstance(self.spin, QDoubleSpinBox):
            self.spin.setDecimals(3)
        low = param.minimum if param.minimum is not None else -BIG
        high = param.maximum if param.maximum is not None else BIG
        self.spin.setRange(int(low) if whole else low, int(high) if whole else high)
        self.spin.setMinimumWidth(110)
        self.spin.setKeyboardTracking(True)
        if param.has_default and isinstance(param.default, int | float):
            self.spin.setValue(param.default)
        self.spin.valueChanged.connect(self._emit)
        self.layout_.addWidget(self.spin)
        self.layout_.addStretch(1)

    def value(self) -> Any:
        v = self.spin.value()
        return int(v) if self.param.kind == Kind.INTEGER else (int(v) if float(v).is_integer() else v)

    def _show(self, value: Any) -> None:
        if value is MISSING:
            value = self.param.default if self.param.has_default else 0
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.spin.setValue(value)


class BoolEditor(FieldEditor):
    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.box = QCheckBox(label_text(param.name))
        self.box.setChecked(bool(param.default) if param.has_default else False)
        self.box.toggled.connect(self._emit)
        self.layout_.addWidget(self.box)

    def value(self) -> Any:
        return self.box.isChecked()

    def _show(self, value: Any) -> None:
        self.box.setChecked(bool(param_default(self.param) if value is MISSING else value))


class ChoiceEditor(FieldEditor):
    """A drop-down of the declared choices; "— choose —" first when there is no default, and a value written
    by hand that is not a choice stays visible (marked) instead of silently showing another one."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.combo = QComboBox()
        if not param.has_default:
            self.combo.addItem("— choose —", None)
        for choice in param.choices:
            self.combo.addItem(str(choice), choice)
        self.combo.setMinimumWidth(140)
        self._select(param_default(param))
        self.combo.currentIndexChanged.connect(self._emit)
        self.layout_.addWidget(self.combo)
        self.layout_.addStretch(1)

    def value(self) -> Any:
        data = self.combo.currentData()
        return MISSING if data is None else data

    def _show(self, value: Any) -> None:
        self._select(param_default(self.param) if value is MISSING else value)

    def _select(self, value: Any) -> None:
        index = next((i for i in range(self.combo.count()) if self.combo.itemData(i) == value), -1)
        if index < 0 and value is not None:
            self.combo.addItem(f"{value} (not a choice)", value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(max(index, 0))


class AnyEditor(TextEditor):
    """Any YAML value, written inline: 42, true, [a, b], {k: v} or text."""

    def value(self) -> Any:
        return from_text(self.line.text(), Kind.ANY)

    def parse_problem(self) -> str | None:
        from gui.inspector.values import yaml_problem

        return yaml_problem(self.line.text())


def label_text(name: str) -> str:
    """``verify_tls`` -> "Verify tls"."""
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def param_default(param: Param) -> Any:
    return param.default if param.has_default else None


def _default_hint(param: Param) -> str:
    if param.has_default and param.default not in ("", None):
        return f"default: {to_text(param.default)}"
    return "" if not param.required else "required"
