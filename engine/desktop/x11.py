"""The X11 backend: python-xlib with the XTEST extension for input and EWMH properties for windows.

EWMH (the window manager's ``_NET_*`` protocol, which every current X11 window manager speaks) is used directly
through python-xlib rather than through the ``ewmh`` package, which wraps the same few messages and is no longer
released. Typing a character the keyboard map has no key for binds it to a spare key code for that one press, as
xdotool does.
"""

from __future__ import annotations

import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from engine.desktop import missing
from engine.desktop.base import BUTTONS, CLIPBOARD_LIMIT, DesktopUnavailable, Rect, WindowInfo

try:
    from Xlib import XK, X, Xatom, display, error
    from Xlib.ext import xtest
    from Xlib.protocol import event
except ImportError:  # pragma: no cover - the extra is not installed
    raise missing("python-xlib", "the Desktop blocks on X11") from None

KEYSYMS = {
    "ctrl": "Control_L", "alt": "Alt_L", "shift": "Shift_L", "super": "Super_L", "enter": "Return", "tab": "Tab",
    "esc": "Escape", "space": "space", "backspace": "BackSpace", "delete": "Delete", "insert": "Insert",
    "home": "Home", "end": "End", "pageup": "Prior", "pagedown": "Next", "left": "Left", "right": "Right",
    "up": "Up", "down": "Down", "printscreen": "Print", "menu": "Menu", "capslock": "Caps_Lock",
    "`": "grave", "-": "minus", "=": "equal", "[": "bracketleft", "]": "bracketright", "\\": "backslash",
    ";": "semicolon", "'": "apostrophe", ",": "comma", ".": "period", "/": "slash",
}  # fmt: skip
_BUTTON = {"left": 1, "middle": 2, "right": 3}
_SOURCE_PAGER = 2  # EWMH: the request comes from a pager/automation tool, so window managers obey it
_STATIC_GRAVITY = 10  # _NET_MOVERESIZE_WINDOW x/y are the client area's, not the frame's


def connect(name: str) -> Any:
    try:
        return display.Display(name)
    except (error.DisplayError, error.DisplayConnectionError, OSError) as exc:
        raise DesktopUnavailable(f"cannot reach the X display {name}: {exc}") from None


def keysym_of(key: str) -> int:
    """The X keysym for an engine.desktop.keys name."""
    if key.startswith("f") and key[1:].isdigit():
        return XK.string_to_keysym(key.upper())
    if key in KEYSYMS:
        return XK.string_to_keysym(KEYSYMS[key])
    return XK.string_to_keysym(key)


def char_keysym(ch: str) -> int:
    if ch == "\n":
        return XK.string_to_keysym("Return")
    if ch == "\t":
        return XK.string_to_keysym("Tab")
    code = ord(ch)
    return code if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF else 0x01000000 | code  # X11 Unicode keysyms


class X11Backend:
    """engine.desktop.base.Backend on an X display (one connection, used under a lock)."""

    name = "x11"

    def __init__(self, display_name: str) -> None:
        self.d = connect(display_name)
        if not self.d.has_extension("XTEST"):
            raise DesktopUnavailable(f"the X display {display_name} has no XTEST extension: input cannot be sent")
        self.root = self.d.screen().root
        self._lock = threading.RLock()
        self._atoms: dict[str, int] = {}
        self._paste: Any = None  # the window the clipboard's text is asked into (made on first use)

    def atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = self.d.intern_atom(name)
        return self._atoms[name]

    # keyboard -----------------------------------------------------------------------------------------------
    def type_text(self, text: str, delay: float) -> None:
        with self._lock:
            for ch in text:
                self._type_char(ch)
                time.sleep(delay)

    def _type_char(self, ch: str) -> None:
        sym = char_keysym(ch)
        found = [(code, index) for code, index in self.d.keysym_to_keycodes(sym) if index in (0, 1)]
        if found:
            code, index = min(found, key=lambda f: f[1])
            shift = self.d.keysym_to_keycode(XK.string_to_keysym("Shift_L")) if index == 1 else 0
            self._tap(code, shift)
            return
        with self._spare(sym) as code:
            self._tap(code, 0)

    def _tap(self, code: int, shift: int) -> None:
        if shift:
            xtest.fake_input(self.d, X.KeyPress, shift)
        xtest.fake_input(self.d, X.KeyPress, code)
        xtest.fake_input(self.d, X.KeyRelease, code)
        if shift:
            xtest.fake_input(self.d, X.KeyRelease, shift)
        self.d.sync()

    @contextmanager
    def _spare(self, sym: int) -> Iterator[int]:
        """A key code with no symbol, bound to ``sym`` for one press (clients reread the map: hence the waits)."""
        first = self.d.display.info.min_keycode
        count = self.d.display.info.max_keycode - first + 1
        table = self.d.get_keyboard_mapping(first, count)
        spare = next((first + i for i, syms in enumerate(table) if not any(syms)), None)
        if spare is None:
            raise DesktopUnavailable(f"cannot type {chr(sym & 0xFFFFFF)!r}: the keyboard map has no free key for it")
        width = len(table[0])
        self.d.change_keyboard_mapping(spare, [(sym,) * width])
        self.d.sync()
        time.sleep(0.05)
        try:
            yield spare
        finally:
            time.sleep(0.05)
            self.d.change_keyboard_mapping(spare, [(0,) * width])
            self.d.sync()

    def keycode(self, key: str) -> int:
        code = self.d.keysym_to_keycode(keysym_of(key))
        if not code:
            raise DesktopUnavailable(f"the keyboard has no '{key}' key")
        return code

    def press(self, keys: list[str], delay: float) -> None:
        with self._lock:
            codes = [self.keycode(k) for k in keys]
            for code in codes:
                xtest.fake_input(self.d, X.KeyPress, code)
                self.d.sync()
                time.sleep(delay)
            for code in reversed(codes):
                xtest.fake_input(self.d, X.KeyRelease, code)
            self.d.sync()

    # mouse --------------------------------------------------------------------------------------------------
    def move(self, x: int, y: int) -> None:
        with self._lock:
            xtest.fake_input(self.d, X.MotionNotify, x=int(x), y=int(y))
            self.d.sync()

    def click(self, x: int, y: int, button: str, count: int) -> None:
        number = _BUTTON[button] if button in BUTTONS else int(button)
        with self._lock:
            self.move(x, y)
            for i in range(count):
                if i:
                    time.sleep(0.03)  # well inside any double-click interval
                xtest.fake_input(self.d, X.ButtonPress, number)
                xtest.fake_input(self.d, X.ButtonRelease, number)
                self.d.sync()

    def drag(self, x: int, y: int, to_x: int, to_y: int, button: str, duration: float) -> None:
        steps = max(2, int(duration / 0.02))
        with self._lock:
            self.move(x, y)
            xtest.fake_input(self.d, X.ButtonPress, _BUTTON[button])
            self.d.sync()
            for i in range(1, steps + 1):
                self.move(round(x + (to_x - x) * i / steps), round(y + (to_y - y) * i / steps))
                time.sleep(duration / steps)
            xtest.fake_input(self.d, X.ButtonRelease, _BUTTON[button])
            self.d.sync()

    def scroll(self, x: int, y: int, dx: int, dy: int) -> None:
        with self._lock:
            self.move(x, y)
            for button, notches in ((5 if dy > 0 else 4, abs(dy)), (7 if dx > 0 else 6, abs(dx))):
                for _ in range(notches):
                    xtest.fake_input(self.d, X.ButtonPress, button)
                    xtest.fake_input(self.d, X.ButtonRelease, button)
                    self.d.sync()
                    time.sleep(0.01)

    # windows ------------------------------------------------------------------------------------------------
    def window_ids(self) -> list[int]:
        prop = self.root.get_full_property(self.atom("_NET_CLIENT_LIST"), X.AnyPropertyType)
        if prop is None:
            raise DesktopUnavailable(
                "no window manager is running on this X display (or it does not speak EWMH): windows cannot be listed"
            )
        return [int(w) for w in prop.value]

    def active_id(self) -> int | None:
        prop = self.root.get_full_property(self.atom("_NET_ACTIVE_WINDOW"), X.AnyPropertyType)
        return int(prop.value[0]) if prop is not None and len(prop.value) and prop.value[0] else None

    def windows(self) -> list[WindowInfo]:
        with self._lock:
            active = self.active_id()
            out = []
            for wid in self.window_ids():
                info = self.describe(wid, active)
                if info is not None:
                    out.append(info)
            return out

    def describe(self, wid: int, active: int | None = None) -> WindowInfo | None:
        """One window's title, program, pid and place; None when it is already gone."""
        w = self.d.create_resource_object("window", wid)
        try:
            name = w.get_full_property(self.atom("_NET_WM_NAME"), self.atom("UTF8_STRING"))
            title = name.value.decode("utf-8", "replace") if name is not None else str(w.get_wm_name() or "")
            klass = w.get_wm_class() or ("", "")
            pid = w.get_full_property(self.atom("_NET_WM_PID"), Xatom.CARDINAL)
            geometry = w.get_geometry()
            origin = self.root.translate_coords(w, 0, 0)
        except (error.BadWindow, error.BadDrawable):
            return None
        rect = Rect(int(origin.x), int(origin.y), int(geometry.width), int(geometry.height))
        return WindowInfo(
            wid, title, klass[0], int(pid.value[0]) if pid is not None else None, rect, wid == active, klass[1]
        )

    def _message(self, wid: int, kind: str, data: list[int]) -> None:
        with self._lock:
            target = self.d.create_resource_object("window", wid)
            message = event.ClientMessage(window=target, client_type=self.atom(kind), data=(32, (data + [0] * 5)[:5]))
            self.root.send_event(message, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
            self.d.sync()

    def activate(self, window: WindowInfo) -> None:
        self._message(window.id, "_NET_ACTIVE_WINDOW", [_SOURCE_PAGER, X.CurrentTime, 0])

    def move_resize(self, window: WindowInfo, rect: Rect) -> None:
        flags = _STATIC_GRAVITY | (0xF << 8) | (_SOURCE_PAGER << 12)
        self._message(window.id, "_NET_MOVERESIZE_WINDOW", [flags, rect.x, rect.y, rect.width, rect.height])

    def set_state(self, window: WindowInfo, state: str) -> None:
        vert, horz = self.atom("_NET_WM_STATE_MAXIMIZED_VERT"), self.atom("_NET_WM_STATE_MAXIMIZED_HORZ")
        if state == "minimize":
            self._message(window.id, "WM_CHANGE_STATE", [3])  # IconicState (ICCCM)
        elif state == "maximize":
            self._message(window.id, "_NET_WM_STATE", [1, vert, horz, _SOURCE_PAGER])
        else:
            self._message(window.id, "_NET_WM_STATE", [0, vert, horz, _SOURCE_PAGER])
            self.activate(window)  # maps it again when it was minimised

    def close(self, window: WindowInfo) -> None:
        self._message(window.id, "_NET_CLOSE_WINDOW", [X.CurrentTime, _SOURCE_PAGER])

    def screen(self) -> Rect:
        g = self.root.get_geometry()
        return Rect(0, 0, int(g.width), int(g.height))

    # clipboard ----------------------------------------------------------------------------------------------
    def clipboard_text(self, wait: float = 1.0) -> str:
        """The CLIPBOARD selection's text, asked of the program that owns it ("" when none answers in ``wait`` s)."""
        with self._lock:
            selection, prop = self.atom("CLIPBOARD"), self.atom("FLOWDECK_CLIPBOARD")
            if not self.d.get_selection_owner(selection):
                return ""
            if self._paste is None:
                self._paste = self.root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
            self._paste.convert_selection(selection, self.atom("UTF8_STRING"), prop, X.CurrentTime)
            self.d.flush()
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if not self.d.pending_events():
                    select.select([self.d.fileno()], [], [], 0.05)
                    continue
                ev = self.d.next_event()  # this connection asks for nothing else: other events are dropped
                if ev.type == X.SelectionNotify and ev.requestor.id == self._paste.id:
                    return self.take_text(self._paste, prop) if ev.property == prop else ""
            return ""

    def clipboard_serial(self) -> int | None:
        return None  # X11 keeps no count of copies: a watcher compares the text

    def take_text(self, window: Any, prop: int) -> str:
        """The text a selection owner wrote into ``prop`` of ``window``, removed from it ("" when too large)."""
        value = window.get_full_property(prop, X.AnyPropertyType, sizehint=CLIPBOARD_LIMIT // 4)
        window.delete_property(prop)
        if value is None or value.property_type == self.atom("INCR"):
            return ""  # nothing, or text so large the owner sends it in pieces: not handed to a run
        data = value.value
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else ""

    def idle_seconds(self) -> float:
        """Seconds since the last key or mouse input, from the X screen saver extension (XTEST input counts)."""
        if not self.d.has_extension("MIT-SCREEN-SAVER"):
            raise DesktopUnavailable("the X display has no MIT-SCREEN-SAVER extension: the idle time cannot be read")
        with self._lock:  # python-xlib loads the extension's requests when it connects
            return self.root.screensaver_query_info().idle / 1000.0
