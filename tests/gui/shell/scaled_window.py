"""Run by test_scaled_window.py in its own process (QT_SCALE_FACTOR is read when the application starts): show the
app's first window, then print its size, the screen's and the canvas's as JSON."""

from __future__ import annotations

import json

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from gui.shell.window import make_window

app = QApplication([])
window = make_window()
window.show()


def report() -> None:
    free = window.screen().availableGeometry()
    view = window.editor.view  # made by now (when_made)
    corner = view.mapTo(window, view.rect().bottomRight())
    print(
        json.dumps(
            {
                "screen": [free.width(), free.height()],
                "window": [window.frameGeometry().width(), window.frameGeometry().height()],
                "canvas": [view.width(), view.height()],
                "canvas_corner": [corner.x(), corner.y()],
            }
        )
    )
    app.quit()


def when_made() -> None:
    """Report once the editor is made and the window fitted to the screen (fit_to_screen: 0 ms, then 100 ms later);
    on a loaded machine the editor can come after a fixed 1.5 s."""
    if not window.editor_made:
        QTimer.singleShot(100, when_made)
        return
    QTimer.singleShot(800, report)


QTimer.singleShot(300, when_made)
app.exec()
