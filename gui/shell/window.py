"""The editor's main window as the shell uses it: make it, add pages, open files, find menus.

The window belongs to the editor (gui/mainwindow.py); this module is the one place that knows its interface.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from gui.shell.icons import app_icon


def takes_engine_later() -> bool:
    """Whether the editor's window can be given its engine after it is shown (so start-up paints sooner)."""
    from gui.mainwindow import MainWindow

    return hasattr(MainWindow, "set_engine")


def make_window(engine: Any = None, bridge: Any = None) -> QMainWindow:
    from gui.mainwindow import MainWindow

    window = MainWindow(engine=engine, bridge=bridge)
    window.setWindowIcon(app_icon())
    return window


def add_page(window: QMainWindow, title: str, widget: QWidget, index: int | None = None) -> None:
    window.add_page(title, widget, index=index)  # type: ignore[attr-defined]


def show_page(window: QMainWindow, widget: QWidget) -> None:
    window.show_page(widget)  # type: ignore[attr-defined]


def open_file(window: QMainWindow, path: str) -> bool:
    return bool(window.open_file(path))  # type: ignore[attr-defined]


def menu(window: QMainWindow, name: str) -> QMenu:
    return window.menu(name)  # type: ignore[attr-defined]


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, fn: Callable[[], None]) -> None:
        super().__init__(widget)
        self.fn = fn
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.fn)  # after this paint has reached the screen
        return False


def after_first_paint(widget: QWidget, fn: Callable[[], None]) -> None:
    """Call ``fn`` once ``widget`` has painted (at once if it is not shown: nobody waits for a paint then)."""
    if widget.isVisible():
        _FirstPaint(widget, fn)
    else:
        QTimer.singleShot(0, fn)
