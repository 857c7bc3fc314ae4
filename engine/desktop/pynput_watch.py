"""The hotkey trigger through pynput's global hotkeys: what Windows and macOS use (X11 grabs the keys itself,
x11_watch.HotkeyWatch). Armed, reported and disarmed as that one is: made (or HotkeyTaken / DesktopUnavailable with
one line), ``start()``, ``stop()``; ``fire({"keys": ...})`` on pynput's thread once per press.

pynput watches the keyboard (a low-level hook on Windows, an event tap on macOS, XRecord on X11) rather than taking
the combination, so the keys also reach the program that has the focus, and a combination another program holds
cannot be told from the keys. On Windows that is asked of RegisterHotKey instead (engine.desktop._win32); on macOS
it cannot be told.

Run in Flowdeck's tests on Linux over pynput's X11 back end under Xvfb (tests/engine/desktop/test_pynput.py).
NOT RUN: the lines for ``sys.platform == "win32"`` (the RegisterHotKey probe, ``_taken_on_windows``) and
``"darwin"`` (the Accessibility permission check; ``_plain_on_macos``, which names a key by its plain character
so that option+r is not ®), and pynput's own Windows and macOS listeners.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from engine.desktop._pynput import hotkey_spec, key_attr, load
from engine.desktop.base import DesktopUnavailable, HotkeyTaken
from engine.desktop.keys import Combo, parse_combo

READY_WITHIN = 5.0  # seconds for pynput's listener to start watching the keyboard
# pynput says its listener is ready just before it installs the hook (Windows) or starts recording (X11): a key
# pressed in between is missed (on Xvfb a press right after arming: 1 of 15 missed without this, 0 of 15 with it)
SETTLE = 0.2


class PynputHotkeyWatch:
    """A global key combination watched by pynput; fires once per press (holding the keys fires once)."""

    def __init__(self, keys: str, fire: Callable[[dict[str, Any]], None]) -> None:
        self.combo, self.fire = parse_combo(keys), fire
        keyboard = load()[0]
        if sys.platform == "win32" and _taken_on_windows(keyboard, self.combo):  # not run here
            raise HotkeyTaken(f"the hotkey {self.combo} is already taken by another program")
        try:
            self._listener = _hotkeys_class(keyboard)({hotkey_spec(self.combo): self._pressed})
        except ValueError:  # a key pynput has no name for on this system (f21-f24; insert or menu on macOS)
            raise DesktopUnavailable(f"the hotkey {self.combo} cannot be watched here: pynput has no such key")
        self._armed = threading.Event()
        self._listener.start()
        _wait_until_watching(self._listener)
        if sys.platform == "darwin" and not getattr(self._listener, "IS_TRUSTED", True):  # not run here
            _stop(self._listener)
            raise DesktopUnavailable(
                "Flowdeck may not watch the keyboard: allow it (or the terminal running it) under System Settings "
                "> Privacy & Security > Accessibility and Input Monitoring"
            )

    def _pressed(self) -> None:
        if self._armed.is_set():
            self.fire({"keys": str(self.combo)})

    def start(self) -> None:
        self._armed.set()

    def stop(self) -> None:
        self._armed.clear()
        _stop(self._listener)


def _stop(listener: Any) -> None:
    listener.stop()
    control, context = getattr(listener, "_display_stop", None), getattr(listener, "_context", None)
    if control is not None and context is not None:  # pynput's X11 listener: its stop() asks the busy recording
        try:  # connection, which reads it only at the next key; the RECORD extension takes it on another one
            control.record_disable_context(context)
            control.flush()
        except Exception:  # the connection is gone already
            pass
    _ended(listener)


def _ended(listener: Any, wait: float = 2.0) -> str | None:
    """Join the listener; what ended it when pynput passed on an error (one line), else None."""
    try:
        listener.join(wait)
    except Exception as exc:  # join re-raises what the listener's callbacks raised
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def _wait_until_watching(listener: Any) -> None:
    """Wait for the listener to be ready; one that died meanwhile (no XRecord, no hook) or never got ready is one
    line. Neither is stopped: pynput's stop() waits for the listener to be ready, which it will never be."""
    ready = threading.Event()
    threading.Thread(target=lambda: (listener.wait(), ready.set()), daemon=True).start()
    for _ in range(int(READY_WITHIN / 0.05)):
        if ready.wait(0.05):
            time.sleep(SETTLE)
            return
        if not listener.is_alive():
            break
    why = "it did not start" if listener.is_alive() else _ended(listener) or "it ended as it started"
    raise DesktopUnavailable(f"pynput could not watch the keyboard: {why}")


def _hotkeys_class(keyboard: Any) -> type:
    class Hotkeys(keyboard.GlobalHotKeys):  # type: ignore[misc, name-defined]
        def canonical(self, key: Any) -> Any:
            return _plain_on_macos(self, keyboard, key) or super().canonical(key)

    return Hotkeys


def _plain_on_macos(listener: Any, keyboard: Any, key: Any) -> Any:  # not run in Flowdeck's tests
    """On macOS a character key comes as what its modifiers make of it (option+r is ®, shift+/ is ?), so a
    combination with alt would never match: the key is named by the plain character of its key code instead.
    (Windows names keys by scan code already; X11 uses its own key grab, x11_watch.)"""
    if sys.platform != "darwin" or getattr(key, "char", None) is None or getattr(key, "vk", None) is None:
        return None
    context = getattr(listener, "_context", None)  # pynput's keyboard layout, held while its listener runs
    if context is None:
        return None
    from pynput._util.darwin import keycode_to_string  # the translation pynput itself uses (1.7 to 1.8)

    plain = keycode_to_string(context, key.vk)
    return keyboard.KeyCode.from_char(plain.lower()) if plain and plain.isprintable() else None


def _taken_on_windows(keyboard: Any, combo: Combo) -> bool:  # not run in Flowdeck's tests
    from engine.desktop import _win32

    attr = key_attr(combo.key)
    if attr is None:
        return _win32.hotkey_taken(combo, _win32.char_vk(combo.key))
    key = getattr(keyboard.Key, attr, None)
    return _win32.hotkey_taken(combo, key.value.vk if key is not None else None)
