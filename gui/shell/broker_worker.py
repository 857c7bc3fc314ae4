"""The app as a worker of a daemon's broker (Settings ▸ "Run desktop jobs for a broker"; docs/scaling.md).

When it is on, the app takes the runs that need a desktop session (the ``desktop`` tag) from the broker with the
same worker code as ``flowdeck worker`` (engine.distributed.worker.Node). The node lives on a thread of its own and
runs each run in its own worker-process pool, so the window stays responsive and the app's own engine and
scheduler are not touched; its runs' desktop calls (an ``ask`` block's dialog, the clipboard) go through the app's
GuiHost, as the app's own runs do. Dramatiq and the Redis client are imported only when it is on.

A broker that does not answer is one line in the tray and the log, and is tried again every few seconds.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from gui.shell.settings import Settings

log = logging.getLogger("flowdeck.app")
RETRY_S = 5.0  # between attempts to reach a broker that does not answer
LOOK_S = 1.0  # between looks at whether the connected broker still answers
QUIT_GRACE_S = 3.0  # what the broker's runs get to finish when the app quits (then they are cancelled)


def config_of(settings: Settings) -> tuple[str, tuple[str, ...], int] | None:
    """(URL, tags, at a time) the settings ask for, or None when the app is no worker."""
    if not settings.broker_worker or not settings.broker_url.strip():
        return None
    from engine.distributed.bundle import DESKTOP

    tags = {t.strip() for t in settings.broker_tags.split(",") if t.strip()} | {DESKTOP}
    return settings.broker_url.strip(), tuple(sorted(tags)), settings.broker_workers


class BrokerWorker(QObject):
    """Starts, watches and stops the app's worker node; ``changed(text, line)`` says what it is now: the
    whole text (the log, the tooltip) and a short line for the tray's menu ("" and "" when off)."""

    changed = Signal(str, str)  # emitted from the node's thread: Qt queues it to the GUI thread's receivers

    def __init__(self, host: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.status = ""
        self._config: tuple[str, tuple[str, ...], int] | None = None
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(lambda: self.stop(wait=True))

    def apply(self, settings: Settings) -> None:
        """Become the worker the settings ask for (or none); a changed URL, tags or count reconnects."""
        config = config_of(settings)
        if config == self._config:
            return
        previous = self._thread
        self.stop(wait=False)
        self._config = config
        if config is None:
            self._say("")
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(config, self._stop, previous),
                                        name="flowdeck-app-worker", daemon=True)  # fmt: skip
        self._thread.start()

    def stop(self, wait: bool = False) -> None:
        """Take no new runs; running ones get a few seconds, then are cancelled (on the node's thread, so that the
        window does not wait for them unless ``wait``: the app quits)."""
        if self._stop is not None:
            self._stop.set()
        if wait and self._thread is not None:
            self._thread.join(QUIT_GRACE_S + 2.0)
        self._stop = self._thread = None
        self._config = None

    # -- on the node's thread ------------------------------------------------------------------
    def _serve(self, config: tuple[str, tuple[str, ...], int], stop: threading.Event, previous: Any) -> None:
        url, tags, workers = config
        if previous is not None:  # the node of the settings before gives its name and its runs up first
            previous.join(QUIT_GRACE_S + 2.0)
        node = self._connect(url, list(tags), workers, stop)
        if node is None:
            return
        answering = True
        while not stop.wait(LOOK_S):
            if node.answering != answering:
                answering = node.answering
                if answering:
                    self._say(self._ready(node, url, tags), f"Worker {node.name} for {where(url)}")
                else:
                    self._say(
                        self._away(node, url, "no heartbeat"), f"Worker {node.name}: {where(url)} does not answer"
                    )
        node.stop(QUIT_GRACE_S)
        log.info("%s stopped taking runs from %s", node.name, self._safe(url))

    def _connect(self, url: str, tags: list[str], workers: int, stop: threading.Event) -> Any:
        """The started node, or None when stopped first; a broker that does not answer is said once, then retried."""
        from engine.distributed import broker as b
        from engine.errors import one_line

        said = ""
        while not stop.is_set():
            try:
                b.require()
                from engine.distributed.worker import Node

                node = Node(b.Settings(b.check_url(url), b.heartbeat_timeout()), tags=tags, workers=workers,
                            host=self.host)  # fmt: skip
                node.start()
            except Exception as exc:  # a BrokerError, or the broker going away while the node starts
                why = one_line(str(exc) or type(exc).__name__, 200)
                text = f"Worker for {self._safe(url)}: {why}; trying again every {RETRY_S:g} s"
                if text != said:
                    log.warning("%s", text)
                    self._say(text, f"Worker: {where(url)} does not answer; trying again")
                    said = text
                stop.wait(RETRY_S)
                continue
            self._say(self._ready(node, url, tuple(tags)), f"Worker {node.name} for {where(url)}")
            log.info("%s", self.status)
            return node
        return None

    def _ready(self, node: Any, url: str, tags: tuple[str, ...]) -> str:
        return f"Worker {node.name} for {self._safe(url)} ({node.workers} at a time, tags: {', '.join(tags)})"

    def _away(self, node: Any, url: str, why: str) -> str:
        return f"Worker {node.name}: the broker {self._safe(url)} does not answer ({why}); trying again"

    @staticmethod
    def _safe(url: str) -> str:
        from engine.distributed.broker import safe_url

        return safe_url(url)

    def _say(self, text: str, line: str = "") -> None:
        if text != self.status:
            self.status = text
            self.changed.emit(text, line)


def where(url: str) -> str:
    """HOST:PORT of a broker URL (what the tray's short line names), or the URL without its password."""
    import urllib.parse

    from engine.distributed.broker import safe_url

    parts = urllib.parse.urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}" if parts.hostname else safe_url(url)


def follow(current: BrokerWorker | None, settings: Settings, host: Any, tray: Any, parent: QObject) -> Any:
    """The app's worker after ``settings`` (made the first time they turn it on: an app that never does makes
    none), with its state shown in the tray."""
    if current is None and not settings.broker_worker:
        return None
    if current is None:
        current = BrokerWorker(host, parent)
        current.changed.connect(tray.set_worker)
    current.apply(settings)
    return current
