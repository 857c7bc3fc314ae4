"""Key names and combinations ("ctrl+alt+r"), the same on every platform; backends map them to their key codes."""

from __future__ import annotations

import string
from dataclasses import dataclass

MODIFIERS = ("ctrl", "alt", "shift", "super")
_ALIASES = {
    "control": "ctrl", "ctl": "ctrl", "option": "alt", "opt": "alt", "win": "super", "windows": "super",
    "cmd": "super", "command": "super", "meta": "super", "return": "enter", "escape": "esc", "del": "delete",
    "pgup": "pageup", "pgdn": "pagedown", "ins": "insert", "spacebar": "space", "bs": "backspace",
}  # fmt: skip
NAMED = (
    "enter", "tab", "esc", "space", "backspace", "delete", "insert", "home", "end", "pageup", "pagedown",
    "left", "right", "up", "down", "printscreen", "menu", "capslock",
    *(f"f{i}" for i in range(1, 25)),
)  # fmt: skip
_PUNCTUATION = set("`-=[]\\;',./")


@dataclass(frozen=True)
class Combo:
    """Modifiers held while one key is pressed; ``key`` may itself be a modifier (``shift`` alone)."""

    modifiers: tuple[str, ...]
    key: str

    @property
    def keys(self) -> list[str]:
        return [*self.modifiers, self.key]

    def __str__(self) -> str:
        return "+".join(self.keys)


def key_name(text: str) -> str:
    """The canonical name of one key, or ValueError naming what is accepted."""
    name = text.strip().lower()
    name = _ALIASES.get(name, name)
    if name in MODIFIERS or name in NAMED:
        return name
    if len(name) == 1 and (name in string.ascii_lowercase or name in string.digits or name in _PUNCTUATION):
        return name
    raise ValueError(
        f"'{text}' is not a key name (letters, digits, {', '.join(MODIFIERS)}, enter, tab, esc, space, "
        "backspace, delete, home, end, pageup, pagedown, left, right, up, down, f1-f24)"
    )


def parse_combo(text: object) -> Combo:
    """``"Ctrl+Alt+R"`` → Combo(("ctrl", "alt"), "r"); ValueError with one line when it is not one."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected a key combination like 'ctrl+alt+r'")
    parts = [p for p in text.replace(" ", "").split("+")]
    if text.strip().endswith("++"):  # "ctrl++" is ctrl and the plus key: not supported, say so
        raise ValueError("'+' separates keys; the plus key itself is written 'shift+='")
    if any(not p for p in parts):
        raise ValueError(f"{text!r}: a '+' with no key beside it")
    names = [key_name(p) for p in parts]
    *mods, key = names
    bad = [m for m in mods if m not in MODIFIERS]
    if bad:
        raise ValueError(
            f"{text!r}: only the last key may be a non-modifier ({', '.join(bad)} is not ctrl/alt/shift/super)"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"{text!r}: a key is named twice")
    order = sorted(mods, key=MODIFIERS.index)
    return Combo(tuple(order), key)


def combo_problem(text: object) -> str | None:
    try:
        parse_combo(text)
    except ValueError as exc:
        return str(exc)
    return None
