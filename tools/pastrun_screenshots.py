"""Render a past run shown in the editor, and a template field's live preview, for docs/editor.md.

    xvfb-run -a .venv/bin/python tools/pastrun_screenshots.py [--dark] [--out FOLDER]
    (QT_SCALE_FACTOR=2 for 200 %)

Writes pastrun-editor[-dark].png (the editor with the run's path, badges, the bar and the selected step's values)
and preview-fields[-dark].png (the inspector: one field's value, one with a misspelt output) to FOLDER (default
docs/images).
A fresh user: the real Engine runs the workflow once and writes its history; nothing leaves the temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

_HOME = tempfile.mkdtemp(prefix="flowdeck-shots-")
for _var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.memkeyring.MemoryKeyring"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOW = """flowdeck: 1
name: Invoices
steps:
  fetch:
    title: Read the invoices
    do: json.parse
    with: {text: '{"count": 12, "total": 4310.5, "customers": ["Acme", "Globex", "Initech"]}'}
    next: check
  check:
    title: Enough to send?
    do: if
    with: {condition: "{{ steps.fetch.value.count > 10 }}"}
    next: {then: save, else: wait_more}
  save:
    title: Write the summary
    do: file.write
    with: {path: summary.txt, content: "{{ steps.fetch.value.count }} invoices, {{ steps.fetch.value.total }} EUR"}
  wait_more:
    title: Note too few
    do: log
    with: {message: "only {{ steps.fetch.value.count }} invoices"}
layout:
  fetch: [0, 40]
  check: [240, 40]
  save: [480, -40]
  wait_more: [480, 160]
"""


def _wait(app: object, until: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def main(argv: list[str]) -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    from engine.registry import default_registry
    from engine.runtime import Engine
    from engine.runtime.history import History
    from gui.app import create_application
    from gui.bridge import EngineBridge
    from gui.mainwindow import MainWindow
    from gui.shell.theme import apply_theme

    dark = "--dark" in argv
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else ROOT / "docs" / "images"
    suffix = "-dark" if dark else ""
    app = create_application([])
    apply_theme(app, "dark" if dark else "light")
    path = Path(_HOME) / "invoices.yaml"
    path.write_text(FLOW, encoding="utf-8")
    engine = Engine(workers=2, registry=default_registry(), history=History(Path(_HOME) / "history.sqlite3"))
    window = MainWindow(engine=engine, bridge=EngineBridge(engine))
    window.resize(1360, 720)
    window.show()
    page = window.editor
    page.open_file(path)
    run_id = page.run()
    _wait(app, lambda: page.run_id is None, 20)
    engine.history.flush()
    page.open_run(engine.history.run(run_id))
    page.select_step("fetch")  # (save's output names this machine's temporary folder)
    page.run_dock.hide()  # its output names this machine's temporary folder; the canvas has the room instead
    page.problems_dock.hide()
    _wait(app, lambda: False, 0.3)
    page.view.set_zoom(0.8)  # the four steps in view, the badges readable
    rect = QRectF()
    for node in page.scene.nodes.values():
        rect = rect.united(node.sceneBoundingRect())
    page.view.centerOn(rect.center())
    page.view.show_hint("")
    _wait(app, lambda: False, 0.5)
    window.grab().save(str(out / f"pastrun-editor{suffix}.png"))
    print(out / f"pastrun-editor{suffix}.png")
    page.run_view.leave()
    page.select_step("save")
    inspector = page.inspector
    content = inspector.page.rows["content"]
    path_row = inspector.page.rows["path"]
    box = content.editor.input_widget()
    box.setFocus()
    if isinstance(box, QPlainTextEdit | QLineEdit):
        box.selectAll()
        box.insertPlainText("{{ steps.fetch.value.count }} invoices for {{ steps.fetch.value.customers | join(', ') }}")
    line = path_row.editor.input_widget()
    line.setText("{{ steps.fetch.value.totl }}.txt")
    path_row.update_preview()
    window.resize(1180, 900)
    _wait(app, lambda: False, 0.3)
    inspector.scroll.ensureWidgetVisible(content.preview, 0, 40)
    _wait(app, lambda: False, 0.3)
    inspector.grab().save(str(out / f"preview-fields{suffix}.png"))
    print(out / f"preview-fields{suffix}.png")
    engine.shutdown(1)


if __name__ == "__main__":
    main(sys.argv[1:])
