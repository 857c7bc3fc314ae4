"""The session trigger's lock and unlock on macOS: the screen's distributed notifications
("com.apple.screenIsLocked", "com.apple.screenIsUnlocked") through pyobjc's Foundation (pyobjc-framework-Cocoa).

NOT RUN in Flowdeck's tests (no Mac here): every line of this module. Distributed notifications reach an observer
through the run loop of the thread that registered it, so the watcher registers on a thread of its own and runs
that thread's run loop until it is stopped. ``login`` is not watched on macOS (not armed).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from engine.desktop import missing
from engine.desktop.base import DesktopUnavailable

log = logging.getLogger("flowdeck.desktop")
NAMES = {"com.apple.screenIsLocked": "lock", "com.apple.screenIsUnlocked": "unlock"}


def _foundation() -> tuple[Any, Any]:
    try:
        import Foundation
        import objc
    except ImportError:
        raise missing("pyobjc-framework-Cocoa", "the session trigger's lock and unlock on macOS") from None
    return Foundation, objc


class MacSessionWatch:
    """Lock and unlock of the screen, for the events in ``on``."""

    def __init__(self, on: list[str], fire: Callable[[dict[str, Any]], None]) -> None:
        self.on, self.fire = set(on), fire
        self.foundation, self.objc = _foundation()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._problem = ""
        # started here, so that observers that cannot be added are a not-armed line, not a silent thread's end
        self._thread = threading.Thread(target=self._run, name="flowdeck-mac-session", daemon=True)
        self._thread.start()
        if not self._ready.wait(5) or self._problem:
            self._stop.set()
            raise DesktopUnavailable(f"cannot watch the screen's lock: {self._problem or 'no answer'}")

    def start(self) -> None:
        """Already running (see __init__)."""

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        f = self.foundation
        with self.objc.autorelease_pool():
            try:
                center = f.NSDistributedNotificationCenter.defaultCenter()
                tokens = [center.addObserverForName_object_queue_usingBlock_(name, None, None, self._noted)
                          for name in NAMES]  # fmt: skip
            except Exception as exc:  # pyobjc raises its own errors: the watcher says why it did not start
                self._problem = f"{type(exc).__name__}: {exc}"
                return
            finally:
                self._ready.set()
            loop = f.NSRunLoop.currentRunLoop()
            while not self._stop.is_set():
                until = f.NSDate.dateWithTimeIntervalSinceNow_(0.5)
                if not loop.runMode_beforeDate_(f.NSDefaultRunLoopMode, until):
                    self._stop.wait(0.5)  # no input source on this run loop: do not spin
            for token in tokens:
                center.removeObserver_(token)

    def _noted(self, note: Any) -> None:
        try:
            event = NAMES.get(str(note.name()))
            if event in self.on:
                self.fire({"event": event})
        except Exception:  # an exception must not cross back into Objective-C
            log.exception("the session trigger failed on a macOS notification")
