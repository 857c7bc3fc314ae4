"""Screenshots of debugging from the canvas (docs/debugging.md): a step's menu, a run paused at a breakpoint with the
Variables pane, and a Run from here that used a pinned output.

    DISPLAY=:99 .venv/bin/python tools/debug_screenshot.py [--dark] [--out FOLDER]   # debug-{menu,paused,ran}.png

(QT_SCALE_FACTOR=2 for 200 %.) Needs a real X display: menus are windows of their own, so the whole screen is grabbed.
The workflow asks a small HTTP server of this script's own (127.0.0.1) for the month's invoices; a real Engine runs it,
with the run history in a fresh temporary account.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_HOME = tempfile.mkdtemp(prefix="flowdeck-shots-")  # a fresh user: default panel layout, an empty history
for _var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INVOICES = {"month": "2026-11", "total": 1840.5, "invoices": [
    {"customer": "Acme", "amount": 1200}, {"customer": "Globex", "amount": 640.5}]}  # fmt: skip
FLOW = """flowdeck: 1
name: Invoices
vars: {{report: {report}}}
steps:
  fetch:
    title: Fetch invoices
    do: http.request
    with: {{url: "{url}"}}
    next: count
  count:
    title: Count them
    do: log
    with: {{message: "{{{{ steps.fetch.json.invoices | length }}}} invoices"}}
    next: save
  save:
    title: Save the report
    do: file.write
    with: {{path: "{{{{ vars.report }}}}", content: "Total: {{{{ steps.fetch.json.sum }}}}"}}
layout:
  fetch: [0, 0]
  count: [260, 0]
  save: [520, 0]
"""


class _Invoices(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(INVOICES).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def _serve() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Invoices)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/invoices"


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QContextMenuEvent, QGuiApplication
    from PySide6.QtWidgets import QApplication

    from engine.runtime import Engine
    from engine.runtime.history import History
    from gui.app import create_application
    from gui.bridge import EngineBridge
    from gui.mainwindow import MainWindow
    from gui.shell.theme import apply_theme

    dark = "--dark" in argv
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-dark" if dark else ""
    app = create_application()
    apply_theme(app, "dark" if dark else "light")
    engine = Engine(workers=2, history=History(Path(_HOME) / "history.db"))
    window = MainWindow(engine=engine, bridge=EngineBridge(engine))
    page = window.editor
    path = Path(_HOME) / "invoices.yaml"
    path.write_text(FLOW.format(report="report.txt", url=_serve()))  # beside the workflow
    page.open_file(path)
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    page.resizeDocks([page.palette_dock, page.inspector_dock], [190, 300], Qt.Orientation.Horizontal)
    page.resizeDocks([page.run_dock], [260], Qt.Orientation.Vertical)

    def wait(ms: int, until: object = None) -> None:
        loop = QEventLoop()
        timer = QTimer(interval=20)
        timer.timeout.connect(lambda: (until is None or until()) and loop.quit())  # type: ignore[operator]
        QTimer.singleShot(ms, loop.quit)
        timer.start()
        loop.exec()

    def shoot(name: str) -> None:
        target = out / f"debug-{name}{suffix}.png"
        QGuiApplication.primaryScreen().grabWindow(0).save(str(target))
        print(f"wrote {target}")

    wait(300)
    page.view.zoom_fit()
    page.run()  # the first run: fetch works, save fails (there is no 'sum')
    wait(10000, lambda: page.run_id is None)
    page.pin_last_output("fetch")
    page.toggle_breakpoint("save")
    page.scene.select_steps(["save"])
    page.run()
    wait(10000, lambda: page.paused is not None)
    steps = page.variables.tree.topLevelItem(1)
    fetch = steps.child(0)
    fetch.setExpanded(True)
    json_item = next(fetch.child(i) for i in range(fetch.childCount()) if fetch.child(i).text(0) == "json")
    json_item.setExpanded(True)
    page.variables.tree.setCurrentItem(json_item.child(2))  # json › total
    wait(300)
    shoot("paused")
    node = page.scene.nodes["save"]
    point = page.view.mapFromScene(node.mapToScene(node.body_rect().center()))
    glob = page.view.viewport().mapToGlobal(point)
    QApplication.sendEvent(page.view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, glob))
    wait(400)
    shoot("menu")
    QApplication.activePopupWidget().close()
    page.actions_["stop"].trigger()
    wait(10000, lambda: page.run_id is None)
    page.toggle_breakpoint("save")
    page.document.set_param("save", "content", "Total: {{ steps.fetch.json.total }}")
    page.run()  # fixed: fetch's pinned output stands in for it, save writes the report
    wait(10000, lambda: page.run_id is None)
    page.run_panel.show_step("fetch")  # its pinned output
    wait(300)
    shoot("ran")
    engine.shutdown(2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
