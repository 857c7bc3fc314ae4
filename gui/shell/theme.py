"""Theme: follow the system, or force light or dark (Qt's colour-scheme hint, Fusion where the style cannot)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

_SCHEMES = {"system": Qt.ColorScheme.Unknown, "light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}


def apply_theme(app: QApplication, theme: str) -> None:
    """Ask Qt for the colour scheme; ``system`` hands the choice back to the desktop."""
    scheme = _SCHEMES.get(theme, Qt.ColorScheme.Unknown)
    if theme != "system" and app.style().name().lower() not in ("fusion", "windows11", "windowsvista", "macos"):
        app.setStyle("Fusion")  # styles that follow the scheme hint; others ignore it
    app.styleHints().setColorScheme(scheme)


def current_scheme(app: QApplication) -> str:
    return "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"
