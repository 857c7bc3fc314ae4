"""Dark theme: the editor's tool bar icons (the style's dark grey fallbacks: undo, redo, run, stop) are drawn light,
and the originals return with a light theme."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QToolBar
from pytestqt.qtbot import QtBot

from gui.shell.theme import apply_theme
from gui.shell.window import ensure_editor, make_window


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    apply_theme(qapp, "system")


def _light_pixels(action: QAction) -> int:
    image = action.icon().pixmap(24, 24).toImage()
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alphaF() > 0.5 and image.pixelColor(x, y).lightnessF() > 0.6
    )


def test_dark_theme_tool_bar_icons_are_light_and_light_theme_gets_them_back(qtbot: QtBot, themed: QApplication) -> None:
    apply_theme(themed, "dark")
    window = make_window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    ensure_editor(window)
    bar = window.findChild(QToolBar, "editorToolbar")
    actions = {a.objectName(): a for a in bar.actions()}
    for name in ("action_run", "action_stop", "action_undo", "action_redo"):
        assert _light_pixels(actions[name]) > 10, f"{name} is dark on the dark tool bar"
    apply_theme(themed, "light")
    qtbot.waitUntil(lambda: _light_pixels(actions["action_run"]) < 5, timeout=3000)
    apply_theme(themed, "dark")
    qtbot.waitUntil(lambda: _light_pixels(actions["action_run"]) > 10, timeout=3000)
