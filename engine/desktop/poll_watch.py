"""The window trigger by polling any backend's window list (engine.desktop.base.Backend): for the systems whose
backend has no window events (Windows, macOS), and a fallback anywhere. Tested on Linux with the X11 backend.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from engine.desktop.base import Backend, WindowInfo
from engine.desktop.polling import Poller

log = logging.getLogger("flowdeck.desktop")
POLL = 0.5  # seconds between looks at the window list: a window open for less may be missed


class PollWindowWatch(Poller):
    """Windows of ``app``/``title`` opening, getting the focus, closing, seen by comparing window lists."""

    def __init__(self, backend: Backend, app: str, title: str, on: list[str], fire: Callable[[dict[str, Any]], None],
                 every: float = POLL) -> None:  # fmt: skip
        super().__init__(every, "flowdeck-window-poll")
        self.backend, self.app, self.title, self.on, self.fire = backend, app, title, set(on), fire
        self.known = self._matching()  # the windows open now do not fire
        self.focused = next((w.id for w in self.known.values() if w.focused), None)

    def _matching(self) -> dict[int, WindowInfo]:
        return {w.id: w for w in self.backend.windows() if w.matches(self.app, self.title)}

    def failed(self, exc: Exception) -> None:  # a window gone while it was read, a desktop busy: next time
        log.exception("the window trigger could not read the window list")

    def look(self) -> None:
        now = self._matching()
        for wid in [w for w in self.known if w not in now]:
            self._fire("closed", self.known.pop(wid))
        for wid in sorted(set(now) - set(self.known)):
            self._fire("opened", now[wid])
        focused = next((w for w in now.values() if w.focused), None)
        if focused is not None and focused.id != self.focused:
            self._fire("focused", focused)
        self.focused = focused.id if focused is not None else None
        self.known = now

    def _fire(self, event: str, w: WindowInfo) -> None:
        if event in self.on:
            self.fire({"event": event, "app": w.app, "title": w.title, "pid": w.pid, "id": w.id})
