"""Desktop triggers on X11: global hotkeys (XGrabKey), windows (EWMH PropertyNotify), the clipboard (XFixes).

Each armed trigger has its own X connection and thread, reading events with select() so that ``stop()`` ends it
within a fraction of a second. ``on_fire(fields)`` is called on that thread with what goes into ``trigger``.
"""

from __future__ import annotations

import logging
import re
import select
import threading
from collections.abc import Callable
from typing import Any

from Xlib import X, error
from Xlib.ext import xfixes

from engine.desktop.base import DesktopUnavailable, HotkeyTaken, WindowInfo
from engine.desktop.keys import parse_combo
from engine.desktop.x11 import X11Backend

log = logging.getLogger("flowdeck.desktop")
Fire = Callable[[dict[str, Any]], None]
_MASKS = {"ctrl": X.ControlMask, "shift": X.ShiftMask, "alt": X.Mod1Mask, "super": X.Mod4Mask}
_IGNORED = (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask)  # Caps Lock and Num Lock must not matter


class _Loop:
    """One X connection and the thread that reads its events."""

    def __init__(self, display: str, name: str) -> None:
        self.x = X11Backend(display)
        self.d = self.x.d
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        try:
            self.d.close()
        except Exception:  # the connection may be gone with the display
            pass

    def _run(self) -> None:
        fd = self.d.fileno()
        while not self._stop.is_set():
            try:
                if not self.d.pending_events():
                    select.select([fd], [], [], 0.2)
                while self.d.pending_events() and not self._stop.is_set():
                    self.handle(self.d.next_event())
            except (error.ConnectionClosedError, OSError) as exc:
                if not self._stop.is_set():
                    log.error("the X display went away (%s); this desktop trigger stopped", exc)
                return
            except Exception:  # one bad event must not end the trigger
                log.exception("a desktop trigger failed on an X event")

    def handle(self, ev: Any) -> None:
        raise NotImplementedError


class HotkeyWatch(_Loop):
    """A global key combination grabbed on the root window; fires once per press (auto-repeat is ignored)."""

    def __init__(self, display: str, keys: str, fire: Fire) -> None:
        super().__init__(display, f"flowdeck-hotkey-{keys}")
        self.combo, self.fire = parse_combo(keys), fire
        self.code = self.x.keycode(self.combo.key)
        self.mods = 0
        for m in self.combo.modifiers:
            self.mods |= _MASKS[m]
        self._down = False
        self._grab()

    def _grab(self) -> None:
        catch = error.CatchError(error.BadAccess)
        root = self.x.root
        for extra in _IGNORED:
            root.grab_key(self.code, self.mods | extra, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catch)
        self.d.sync()
        if catch.get_error():
            for extra in _IGNORED:
                root.ungrab_key(self.code, self.mods | extra)
            self.d.close()
            raise HotkeyTaken(f"the hotkey {self.combo} is already taken by another program")
        root.change_attributes(event_mask=X.KeyPressMask | X.KeyReleaseMask)

    def handle(self, ev: Any) -> None:
        if ev.type == X.KeyPress and ev.detail == self.code and not self._down:
            self._down = True
            self.fire({"keys": str(self.combo)})
        elif ev.type == X.KeyRelease and ev.detail == self.code:
            nxt = self.d.next_event() if self.d.pending_events() else None
            repeat = nxt is not None and nxt.type == X.KeyPress and nxt.detail == ev.detail and nxt.time == ev.time
            if not repeat:
                self._down = False
                if nxt is not None:
                    self.handle(nxt)


class WindowWatch(_Loop):
    """Windows of ``app``/``title`` opening, getting the focus, closing (the window manager's client list)."""

    def __init__(self, display: str, app: str, title: str, on: list[str], fire: Fire) -> None:
        super().__init__(display, "flowdeck-window-watch")
        self.app, self.title, self.on, self.fire = app, title, set(on), fire
        self.x.window_ids()  # DesktopUnavailable now, when there is no window manager
        self.known: dict[int, WindowInfo | None] = {w: self._matching(w) for w in self.x.window_ids()}
        self.active = self.x.active_id()
        self.x.root.change_attributes(event_mask=X.PropertyChangeMask)
        self.clients, self.active_atom = self.x.atom("_NET_CLIENT_LIST"), self.x.atom("_NET_ACTIVE_WINDOW")

    def _matching(self, wid: int) -> WindowInfo | None:
        info = self.x.describe(wid)
        return info if info is not None and info.matches(self.app, self.title) else None

    def _fire(self, event: str, w: WindowInfo) -> None:
        if event in self.on:
            self.fire({"event": event, "app": w.app, "title": w.title, "pid": w.pid, "id": w.id})

    def handle(self, ev: Any) -> None:
        if ev.type != X.PropertyNotify:
            return
        if ev.atom == self.clients:
            now = set(self.x.window_ids())
            for wid in [w for w in self.known if w not in now]:
                gone = self.known.pop(wid)
                if gone is not None:
                    self._fire("closed", gone)
            for wid in sorted(now - set(self.known)):
                info = self.known[wid] = self._matching(wid)
                if info is not None:
                    self._fire("opened", info)
        elif ev.atom == self.active_atom:
            active = self.x.active_id()
            if active and active != self.active:
                info = self._matching(active)  # read now: the title may have changed since it opened
                if active in self.known or info is not None:
                    self.known[active] = info
                if info is not None:
                    self._fire("focused", info)
            self.active = active


class ClipboardWatch(_Loop):
    """New text on the clipboard (XFixes tells when its owner changes; the text is then asked for)."""

    def __init__(self, display: str, match: str | None, fire: Fire) -> None:
        super().__init__(display, "flowdeck-clipboard-watch")
        if not self.d.has_extension("XFIXES"):
            raise DesktopUnavailable("the X display has no XFIXES extension: clipboard changes cannot be seen")
        self.d.xfixes_query_version()
        self.pattern, self.fire = (re.compile(match) if match else None), fire
        self.selection, self.utf8 = self.x.atom("CLIPBOARD"), self.x.atom("UTF8_STRING")
        self.prop = self.x.atom("FLOWDECK_CLIPBOARD")
        self.window = self.x.root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
        self.d.xfixes_select_selection_input(self.x.root, self.selection, xfixes.XFixesSetSelectionOwnerNotifyMask)
        self.d.sync()

    def handle(self, ev: Any) -> None:
        # python-xlib registers a copy of the extension's event class: compared by name, not isinstance
        if type(ev).__name__ == "SetSelectionOwnerNotify" and ev.owner:
            self.window.convert_selection(self.selection, self.utf8, self.prop, X.CurrentTime)
            self.d.flush()
        elif ev.type == X.SelectionNotify and ev.property == self.prop:
            text = self.x.take_text(self.window, self.prop)
            if text and (self.pattern is None or self.pattern.search(text)):
                self.fire({"text": text})
