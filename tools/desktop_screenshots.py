"""Render the editor with the two desktop examples, for docs/desktop.md.

    .venv/bin/python tools/desktop_screenshots.py     # docs/images/desktop-hotkey.png and desktop-ask.png

Nothing is run (the Desktop blocks need a real desktop); the pictures show the workflow settings with the hotkey
and window trigger cards, and the ask.message step with its ports.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="flowdeck-shots-")
for _var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "resources" / "examples"
OUT = ROOT / "docs" / "images"
SHOTS = (
    ("desktop-stamp-invoice.yaml", None, "desktop-hotkey.png"),
    ("desktop-ask-and-click.yaml", "ask", "desktop-ask.png"),
)


def main() -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from engine.io import read_file
    from engine.registry import default_registry
    from engine.runtime import Engine
    from gui.app import create_application
    from gui.bridge import EngineBridge
    from gui.mainwindow import MainWindow
    from gui.shell.icons import app_icon
    from gui.shell.theme import apply_theme

    app = create_application()
    apply_theme(app, "light")
    engine = Engine(workers=1, registry=default_registry())
    window = MainWindow(engine=engine, bridge=EngineBridge(engine))
    window.setWindowIcon(app_icon())
    window.resize(1440, 900)
    window.show()
    page = window.editor
    for name, step, out in SHOTS:
        wf, _ = read_file(EXAMPLES / name)
        document = page.new_document(wf)
        document.path = EXAMPLES / name
        page.set_document(document)
        page.resizeDocks([page.palette_dock, page.inspector_dock], [220, 380], Qt.Orientation.Horizontal)
        page.view.zoom_fit()
        if step:
            page.scene.select_steps([step])
        else:
            page.scene.select_steps([])
            page.inspector.show_step(None)
        for _ in range(10):
            app.processEvents()
        OUT.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(OUT / out))
        print(f"wrote {OUT / out}")
    window.close()
    engine.shutdown(2)
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
