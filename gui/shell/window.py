"""The editor's main window as the shell uses it: make it, add pages, open files, find menus.

The window belongs to the editor (gui/mainwindow.py); this module is the one place that knows its interface.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from gui.shell.icons import app_icon


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
