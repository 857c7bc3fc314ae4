"""Render the YAML tab with a line that does not read yet, and the quick fixes of two typos, for docs/editor.md.

.venv/bin/python tools/yaml_screenshots.py                 # docs/images/yaml-editor.png
.venv/bin/python tools/yaml_screenshots.py --dark OUT.png  # any theme, any file (QT_SCALE_FACTOR=2 for 200 %)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="flowdeck-shots-")  # a fresh user: default panel layout, no recent files
for _var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images" / "yaml-editor.png"

TEXT = """\
# Check the shop's API every morning and note what it says
flowdeck: 1
name: Morning check

steps:
  fetch:
    do: http.requst   # the shop's API
    with: {url: "http://127.0.0.1:8000/api/status"}
    next: say

  say:
    do: log
    with:
      mesage: "Status {{ steps.fetch.status }}"
"""
BROKEN = '    title: "Say the status\n'  # a quote left open: the text does not read until it is closed


def render(dark: bool, target: Path) -> None:
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QApplication

    from gui.app import create_application
    from gui.mainwindow import MainWindow
    from gui.shell.theme import apply_theme

    app = create_application()
    apply_theme(app, "dark" if dark else "light")
    window = MainWindow()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "morning-check.yaml"
        path.write_text(TEXT)
        window.resize(1440, 900)
        window.show()
        window.open_file(path)
        page = window.editor
        page.select_step("fetch")
        page.tabs.setCurrentWidget(page.yaml_view)
        page.problems_dock.raise_()
        for _ in range(5):
            app.processEvents()
        editor = page.yaml_view.text
        block = editor.document().findBlockByNumber(12)  # after "do: log"
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        cursor.insertText("\n" + BROKEN.rstrip("\n"))
        editor.setTextCursor(cursor)
        page.yaml_view.apply_now()
        _settle(app)
        target.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(target))
        print(f"wrote {target}")
    window.close()
    QApplication.processEvents()


def _settle(app: object) -> None:
    import time

    end = time.monotonic() + 0.6  # the problems list follows the model after a short pause
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)


def main(argv: list[str]) -> int:
    dark = "--dark" in argv
    files = [a for a in argv if not a.startswith("--")]
    render(dark, Path(files[0]) if files else OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
