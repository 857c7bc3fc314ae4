"""Small building blocks shared by the inspector's pages: section titles, labelled lines with a problem label."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from engine.model.durations import parse_duration

STYLE = """
QLabel#sectionTitle { font-weight: 600; padding: 10px 0 0 0; margin: 0; }
QLabel#fieldLabel { font-weight: 500; }
QLabel#fieldHelp { color: palette(placeholder-text); font-size: 11px; }
QLabel#fieldProblem { color: #d9534f; font-size: 11px; }
QLabel#fieldPreview { color: palette(placeholder-text); font-size: 11px; }
QLabel#fieldPreview[error="true"] { color: #d9534f; }
QLabel#fieldNote { color: palette(placeholder-text); font-size: 11px; }
QFrame#sectionRule { background: palette(mid); border: none; }
QLabel#pageTitle { font-size: 15px; font-weight: 600; }
QLabel#blockType { color: palette(placeholder-text); }
"""


def monospace_font() -> QFont:
    """The system's fixed-width font, or a known monospace family where the platform names none that is fixed."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if QFontInfo(font).fixedPitch():
        return font
    for family in ("DejaVu Sans Mono", "Noto Sans Mono", "Menlo", "Consolas", "Courier New"):
        candidate = QFont(family, font.pointSize())
        if QFontInfo(candidate).fixedPitch():
            return candidate
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    return font


def compact(combo: QComboBox) -> QComboBox:
    """A combo that may be narrower than its longest entry (long step names must not widen the panel)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    return combo


def section(title: str) -> QWidget:
    """A bold section title over a thin rule."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 4, 0, 2)
    layout.setSpacing(2)
    label = QLabel(title)
    label.setObjectName("sectionTitle")
    rule = QFrame()
    rule.setObjectName("sectionRule")
    rule.setFixedHeight(1)
    layout.addWidget(label)
    layout.addWidget(rule)
    return box


def note(text: str = "", name: str = "fieldNote") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class LabelledLine(QWidget):
    """A caption, a line edit and a problem label under it; ``check(text)`` returns a problem or None."""

    def __init__(
        self, caption: str, placeholder: str = "", check: Callable[[str], str | None] | None = None, help: str = ""
    ) -> None:
        super().__init__()
        self.check = check
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 6)
        layout.setSpacing(2)
        self.caption = QLabel(caption)
        self.caption.setObjectName("fieldLabel")
        self.line = QLineEdit()
        self.line.setPlaceholderText(placeholder)
        self.problem = note(name="fieldProblem")
        self.problem.hide()
        self.help = note(help, "fieldHelp")
        self.help.setVisible(bool(help))
        for widget in (self.caption, self.line, self.problem, self.help):
            layout.addWidget(widget)
        self.line.textChanged.connect(self.validate)

    def text(self) -> str:
        return self.line.text().strip()

    def set_text(self, text: str) -> None:
        if self.line.text() != text:
            self.line.blockSignals(True)
            self.line.setText(text)
            self.line.setCursorPosition(0)  # show the start of a long value
            self.line.blockSignals(False)
            self.validate()

    def validate(self, *_: object) -> str | None:
        if self.check is None:  # problems come from outside (show_problem)
            return None
        found = self.check(self.text())
        self.show_problem(found)
        return found

    def show_problem(self, message: str | None) -> None:
        self.problem.setText(message or "")
        self.problem.setVisible(bool(message))


def duration_problem(text: str) -> str | None:
    """For optional duration fields: empty is fine, anything else must read as a duration."""
    if not text or "{{" in text:
        return None
    try:
        parse_duration(text)
    except ValueError as exc:
        return str(exc)
    return None
