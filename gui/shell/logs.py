"""Logging for the app: rotating files in the user's log folder, and Qt's own warnings routed into them."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
_MAX_BYTES = 1_000_000
_BACKUPS = 5


def log_folder() -> Path:
    from platformdirs import user_log_path

    return user_log_path("flowdeck", appauthor=False)


def setup_logging(folder: Path | None = None, level: int = logging.INFO) -> Path:
    """Send the root logger to ``flowdeck.log`` (1 MB per file, 5 old files kept). Returns the log file's path."""
    folder = folder or log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "flowdeck.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_flowdeck", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._flowdeck = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    _route_qt_messages()
    return path


def _route_qt_messages() -> None:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)
