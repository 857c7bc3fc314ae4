"""The clipboard trigger by polling any backend's clipboard (engine.desktop.base.Backend): what Windows and macOS
use, whose backends keep a count of copies. Tested on Linux over the X11 backend (which keeps none, so the text is
compared there); X11 itself uses x11_watch.ClipboardWatch, which XFixes tells of each copy. NOT RUN: the lines
for a backend with a change count (``serial is not None``: Windows' GetClipboardSequenceNumber, macOS'
changeCount).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from engine.desktop.base import CLIPBOARD_LIMIT, Backend, DesktopUnavailable
from engine.desktop.polling import Poller

log = logging.getLogger("flowdeck.desktop")
POLL = 0.5  # seconds between looks: two copies within one look fire once, with the later text


class PollClipboardWatch(Poller):
    """New text on the clipboard (optionally only text ``match`` finds), seen by looking twice a second."""

    def __init__(self, backend: Backend, match: str | None, fire: Callable[[dict[str, Any]], None],
                 every: float = POLL) -> None:  # fmt: skip
        super().__init__(every, "flowdeck-clipboard-poll")
        self.backend, self.fire = backend, fire
        self.pattern = re.compile(match) if match else None
        self.serial = backend.clipboard_serial()
        self.text = backend.clipboard_text()  # what is on the clipboard now does not fire
        self._busy = False

    def failed(self, exc: Exception) -> None:
        if not isinstance(exc, DesktopUnavailable):
            log.exception("the clipboard trigger could not read the clipboard")
        elif not self._busy:  # another program holds the clipboard open: said once, looked at again next time
            log.warning("the clipboard trigger could not read the clipboard: %s", exc)
        self._busy = isinstance(exc, DesktopUnavailable) or self._busy

    def look(self) -> None:
        serial = self.backend.clipboard_serial()
        if serial is not None and serial == self.serial:
            return  # nothing was copied: the text is not even read
        text = self.backend.clipboard_text()
        self.serial, self._busy = serial, False  # after the read, so a failed read is tried again
        if serial is None and text == self.text:
            return
        self.text = text
        if text and len(text) <= CLIPBOARD_LIMIT and (self.pattern is None or self.pattern.search(text)):
            self.fire({"text": text})
