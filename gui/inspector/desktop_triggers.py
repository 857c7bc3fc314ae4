"""The desktop triggers' part of the trigger cards, from their one declaration (engine.desktop.triggers), and the
"press the keys" recorder of the hotkey card."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton

from engine.desktop.triggers import KINDS

# (menu text, kind, options of a new trigger) for "Add trigger"
NEW = tuple((f"{k.title}: {k.help[0].lower()}{k.help[1:].rstrip('.')}", k.kind, k.new) for k in KINDS.values())
# the text (or single choice) options a card edits: (option, caption, placeholder)
FIELDS = {k.kind: tuple((o.name, o.caption, o.placeholder) for o in k.options if not o.many) for k in KINDS.values()}
# the check boxes of a card: kind -> (option, choices, default when the option is not written)
EVENTS = {
    k.kind: next((o.name, o.choices, list(o.default)) for o in k.options if o.many)
    for k in KINDS.values()
    if any(o.many for o in k.options)
}
_MODIFIERS = (
    (Qt.KeyboardModifier.ControlModifier, "ctrl"),
    (Qt.KeyboardModifier.AltModifier, "alt"),
    (Qt.KeyboardModifier.ShiftModifier, "shift"),
    (Qt.KeyboardModifier.MetaModifier, "super"),
)
_NAMED = {
    Qt.Key.Key_Return: "enter", Qt.Key.Key_Enter: "enter", Qt.Key.Key_Tab: "tab", Qt.Key.Key_Escape: "esc",
    Qt.Key.Key_Space: "space", Qt.Key.Key_Backspace: "backspace", Qt.Key.Key_Delete: "delete",
    Qt.Key.Key_Insert: "insert", Qt.Key.Key_Home: "home", Qt.Key.Key_End: "end", Qt.Key.Key_PageUp: "pageup",
    Qt.Key.Key_PageDown: "pagedown", Qt.Key.Key_Left: "left", Qt.Key.Key_Right: "right", Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down", Qt.Key.Key_Print: "printscreen",
}  # fmt: skip
_ALONE = (Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Shift, Qt.Key.Key_Meta, Qt.Key.Key_AltGr)


def combo_text(key: int, modifiers: Qt.KeyboardModifier) -> str | None:
    """A pressed key as engine.desktop.keys writes it ("ctrl+alt+r"), or None for a modifier alone."""
    if key in _ALONE:
        return None
    if key in _NAMED:
        name = _NAMED[Qt.Key(key)]
    elif Qt.Key.Key_F1 <= key <= Qt.Key.Key_F24:
        name = f"f{key - Qt.Key.Key_F1 + 1}"
    elif Qt.Key.Key_A <= key <= Qt.Key.Key_Z or Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
        name = chr(key).lower()
    else:
        return None
    mods = [text for flag, text in _MODIFIERS if modifiers & flag]
    return "+".join([*mods, name])


class HotkeyRecorder(QPushButton):
    """Click, then press the combination: ``recorded("ctrl+alt+r")``. Esc alone cancels."""

    recorded = Signal(str)

    def __init__(self) -> None:
        super().__init__("Press the keys…")
        self.setCheckable(True)
        self.setToolTip("Click, then press the key combination the trigger should react to")
        self.toggled.connect(self._toggled)

    def _toggled(self, on: bool) -> None:
        self.setText("Press the keys now (Esc: cancel)" if on else "Press the keys…")
        if on:
            self.grabKeyboard()
        else:
            self.releaseKeyboard()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.isChecked():
            super().keyPressEvent(event)
            return
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.setChecked(False)
            return
        text = combo_text(event.key(), event.modifiers())
        if text:
            self.setChecked(False)
            self.recorded.emit(text)
