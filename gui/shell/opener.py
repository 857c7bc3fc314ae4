"""Handing a file, folder or URL to the desktop's default program, from the app (the open block, menus, links).

On Linux and the BSDs QDesktopServices.openUrl starts xdg-open with the app's own environment, which in the bundle
carries the bundle's LD_LIBRARY_PATH and Qt plugin path: xdg-open, and the program it starts, would load the
bundle's libraries instead of their own. There the opener is started the way ``flowdeck run`` starts it
(engine.runtime.context.HeadlessHost: xdg-open or gio, with engine/runtime/childenv.py's session environment).
Windows and macOS hand the URL to the system (ShellExecute, Launch Services), which starts the program itself.
"""

from __future__ import annotations

import logging
import sys
import threading

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from engine.errors import StepError

log = logging.getLogger("flowdeck.gui")


def system_opens_itself(platform: str | None = None) -> bool:
    """Whether the system starts the default program itself (no opener process inherits the app's environment)."""
    return (platform or sys.platform) in ("win32", "darwin")


def open_with_opener(url: QUrl) -> None:
    """Start the desktop's opener for ``url`` with the person's environment; StepError if it cannot.

    Waits up to HeadlessHost.OPEN_GRACE for the opener to fail: call it off the GUI thread (or use ``open_url``).
    """
    from engine.runtime.context import HeadlessHost

    HeadlessHost().open(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))  # file:///a%20b as Qt passes it


def open_url(url: QUrl) -> None:
    """Open ``url`` for the person from the GUI thread (a menu, a link), without waiting; a failure is logged."""
    if system_opens_itself():
        if not QDesktopServices.openUrl(url):
            log.warning("cannot open %s: the desktop has no program for it", url.toString())
        return

    def start() -> None:
        try:
            open_with_opener(url)
        except StepError as exc:
            log.warning("%s", exc)

    threading.Thread(target=start, name="flowdeck-open", daemon=True).start()
