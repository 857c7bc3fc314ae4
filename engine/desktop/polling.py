"""One thread that looks at something every few seconds (a backend's window list, its clipboard...), for the
triggers of systems that tell of no change: start, stop, and what a failed look does."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("flowdeck.desktop")


class Poller:
    """Calls ``look()`` every ``every`` seconds on a thread of its own until ``stop()``; a look that raises is
    ``failed(exc)`` (logged with its traceback by default) and the next look comes as usual."""

    def __init__(self, every: float, name: str) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def look(self) -> None:
        raise NotImplementedError

    def failed(self, exc: Exception) -> None:
        log.exception("%s: a look failed", self._thread.name)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.look()
            except Exception as exc:  # a window gone while it was read, a clipboard held open: look again next time
                self.failed(exc)
