"""Screenshots of the canvas comforts: notes, groups, a disabled step, the minimap and a right-click menu.

    DISPLAY=:99 .venv/bin/python tools/canvas_screenshots.py [--dark] [--picker] [--out FOLDER]
    (QT_SCALE_FACTOR=2 for 200 %; --picker shows the block picker of a wire dropped on empty canvas instead)

Needs a real X display (menus are windows of their own): the whole screen is grabbed with the menu open.
Writes canvas[-dark].png to FOLDER (default docs/images).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

_HOME = tempfile.mkdtemp(prefix="flowdeck-shots-")  # a fresh user: default panel layout, no recent files
for _var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "resources" / "examples" / "daily-sales-report.yaml"

NOTE = """**Runs at 8:00** on weekdays.
- the API is slow on Mondays
- a failure sends a notification"""


def _workflow():  # -> Workflow
    from engine.io import read_file
    from engine.model.workflow import Group, Note

    wf, _ = read_file(EXAMPLE)
    assert wf is not None
    wf.steps["append"].disabled = True
    wf.notes["why"] = Note([0, -200], [260, 130], NOTE, "yellow")
    wf.groups["Download"] = Group(["yesterday", "fetch"], "green")
    wf.groups["Keep a copy"] = Group(["keep", "append"], "purple")
    return wf


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QPointF, Qt, QTimer
    from PySide6.QtGui import QContextMenuEvent, QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from gui.app import create_application
    from gui.mainwindow import MainWindow
    from gui.shell.theme import apply_theme

    dark = "--dark" in argv
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else ROOT / "docs" / "images"
    app = create_application()
    apply_theme(app, "dark" if dark else "light")
    window = MainWindow()
    page = window.editor
    document = page.new_document(_workflow())
    document.path = EXAMPLE
    page.set_document(document)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    window.setGeometry(screen.adjusted(0, 0, 0, 0))
    window.show()
    page.resizeDocks([page.palette_dock, page.inspector_dock], [200, 300], Qt.Orientation.Horizontal)
    page.actions_["minimap"].setChecked(True)
    for _ in range(10):
        app.processEvents()
    page.view.zoom_fit()
    page.view.centerOn(page.scene.itemsBoundingRect().center())
    node = page.scene.nodes["keep"]
    point = page.view.mapFromScene(node.mapToScene(node.body_rect().center()))

    def open_menu() -> None:
        if "--picker" in argv:
            tail = page.scene.nodes["append"]
            at = tail.mapToScene(tail.body_rect().topRight()) + QPointF(60, 80)
            page.view.offer_blocks("append", "next", at)
            QTest.keyClicks(page.view.picker.search, "mess")
            return
        glob = page.view.viewport().mapToGlobal(point)
        QApplication.sendEvent(page.view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, glob))

    def shoot() -> None:
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"canvas{'-picker' if '--picker' in argv else ''}{'-dark' if dark else ''}.png"
        shot = QGuiApplication.primaryScreen().grabWindow(0)
        shot.save(str(target))
        print(f"wrote {target}")
        app.quit()

    QTimer.singleShot(400, open_menu)
    QTimer.singleShot(1200, shoot)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
