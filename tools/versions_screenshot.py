"""Render File ▸ Version History… with three versions of the sales example, v1 and v3 compared, for docs/editor.md.

    xvfb-run -a .venv/bin/python tools/versions_screenshot.py [--dark] [OUT.png]   # docs/images/editor-versions.png

Run with QT_SCALE_FACTOR=2 to look at it at 200 %.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

_HOME = tempfile.mkdtemp(prefix="flowdeck-shots-")  # a fresh user: an empty versions database
for _var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "resources" / "examples" / "daily-sales-report.yaml"


def _versions(path: Path) -> None:
    """Two saved versions: the example as the app saves it, then a changed URL and schedule."""
    from engine.io import dumps, read_file
    from engine.versions import VersionStore

    store = VersionStore()
    text = dumps(read_file(EXAMPLE)[0])
    store.record(path, text, "app")
    text = text.replace("mon-fri", "*").replace("/daily", "/today")
    store.record(path, text, "app")
    path.write_text(text)
    store.close()


def render(dark: bool, target: Path) -> None:
    from PySide6.QtCore import QTimer

    from engine.io import read_file, save_workflow
    from gui.app import create_application
    from gui.document.document import WorkflowDocument
    from gui.editor.versions import VersionsDialog
    from gui.shell.theme import apply_theme

    app = create_application([])
    apply_theme(app, "dark" if dark else "light")
    path = Path(_HOME) / "daily-sales-report.yaml"
    _versions(path)
    wf, _ = read_file(path)
    doc = WorkflowDocument(wf)
    doc.add_step("notify", (480, 140), step_id="tell")
    doc.add_wire(next(iter(doc.workflow.steps)), "next", "tell")
    save_workflow(doc.workflow, path)
    from engine.versions import record_file

    record_file(path, "app")
    dialog = VersionsDialog(doc)
    dialog.show()
    dialog.select(1, 3)

    def shoot() -> None:
        dialog.grab().save(str(target))
        print(target)
        app.quit()

    QTimer.singleShot(400, shoot)
    app.exec()


if __name__ == "__main__":
    args = sys.argv[1:]
    dark = "--dark" in args
    rest = [a for a in args if a != "--dark"]
    render(dark, Path(rest[0]) if rest else ROOT / "docs" / "images" / "editor-versions.png")
