"""Render the editor with an example workflow after a real run, for the README and docs/editor.md.

    .venv/bin/python tools/screenshots.py            # docs/images/editor.png and editor-dark.png

The daily sales report example is run by a real Engine against a small HTTP server on 127.0.0.1 (no network),
so the badges, durations and run log in the picture are what a person sees.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="flowdeck-shots-")  # a fresh user: default panel layout, no recent files
for _var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "resources" / "examples" / "daily-sales-report.yaml"
OUT = ROOT / "docs" / "images"


class _Report(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"date": "2026-11-21", "orders": 42, "total": 1234.5, "currency": "EUR"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _workflow(port: int, out_dir: str):  # -> Workflow
    from engine.io import read_file

    wf, _ = read_file(EXAMPLE)
    assert wf is not None
    wf.vars = {"api": f"http://127.0.0.1:{port}/api/reports/daily", "out_dir": out_dir}
    for key in ("auth", "secret"):  # the example's API token lives in a keyring this machine does not have
        wf.steps["fetch"].params.pop(key, None)
    return wf


def render(dark: bool, target: Path) -> None:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from engine.registry import default_registry
    from engine.runtime import Engine
    from gui.app import create_application
    from gui.bridge import EngineBridge
    from gui.mainwindow import MainWindow
    from gui.shell.dashboard import DashboardPage
    from gui.shell.icons import app_icon, fit_toolbar_icons
    from gui.shell.theme import apply_theme

    app = create_application()
    apply_theme(app, "dark" if dark else "light")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Report)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    engine = Engine(workers=2, registry=default_registry())
    window = MainWindow(engine=engine, bridge=EngineBridge(engine))
    window.setWindowIcon(app_icon())
    with tempfile.TemporaryDirectory() as tmp:
        window.add_page("Workflows", DashboardPage(Path(tmp)), index=0)
        page = window.editor
        document = page.new_document(_workflow(server.server_address[1], tmp))
        document.path = EXAMPLE
        page.set_document(document)
        window.resize(1440, 900)
        window.show()
        fit_toolbar_icons(window)  # as the app's window does (gui/shell/window.py)
        page.resizeDocks([page.palette_dock, page.inspector_dock], [220, 340], Qt.Orientation.Horizontal)
        page.resizeDocks([page.run_dock], [190], Qt.Orientation.Vertical)
        app.processEvents()
        loop = QEventLoop()
        page.bridge.runFinished.connect(lambda _e: QTimer.singleShot(300, loop.quit))
        QTimer.singleShot(15000, loop.quit)
        page.run()
        loop.exec()
        page.scene.select_steps(["fetch"])
        page.view.zoom_fit()
        page.view.centerOn(page.scene.itemsBoundingRect().center())
        for _ in range(5):
            app.processEvents()
        target.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(target))
        print(f"wrote {target}")
    window.close()
    engine.shutdown(2)
    server.shutdown()
    QApplication.processEvents()


def main(argv: list[str]) -> int:
    dark = "--dark" in argv
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else OUT  # elsewhere, to look at 200 % too
    render(dark, out / ("editor-dark.png" if dark else "editor.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
