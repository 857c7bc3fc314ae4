"""Theme choice reaches Qt; the About dialog tells the version and where the logs are."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPalette
from pytestqt.qtbot import QtBot

import engine
from gui.shell.about import AboutDialog
from gui.shell.theme import apply_theme


def window_lightness(app) -> int:
    return app.palette().color(QPalette.ColorRole.Window).lightness()


def test_dark_light_and_back_to_the_system(qapp) -> None:
    system = (qapp.style().name(), window_lightness(qapp))
    try:
        apply_theme(qapp, "dark")
        assert window_lightness(qapp) < 80
        assert qapp.palette().color(QPalette.ColorRole.Text).lightness() > 180
        apply_theme(qapp, "light")
        assert window_lightness(qapp) > 180
    finally:
        apply_theme(qapp, "system")
    assert (qapp.style().name(), window_lightness(qapp)) == system


def test_about_names_version_and_log_folder(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(tmp_path / "logs")
    qtbot.addWidget(dialog)
    text = dialog.text.text()
    assert f"Flowdeck {engine.__version__}" in text
    assert str(tmp_path / "logs") in text
