"""Render the dashboard and the run history of the real app, for docs/app.md.

    .venv/bin/python tools/app_screenshots.py [--dark] [--out FOLDER]
    # docs/images/dashboard.png, history.png and templates.png (QT_SCALE_FACTOR=2 for 200 %)

A fresh user (temporary settings, history and workspace) gets the shipped examples as workflows; the app's own
controller starts the real engine and scheduling service, runs three of them (one against a small HTTP server on
127.0.0.1, one that fails because its check command and mail server are not there), and the pages are grabbed as
a person sees them afterwards. The tray picture (docs/images/tray.png) needs a real tray: tools/tray_screenshot.py.

    DISPLAY=:N QT_QPA_PLATFORM=xcb .venv/bin/python tools/app_screenshots.py --desktop [--dark] [--out FOLDER]
    # docs/images/desktop-hotkey-card.png and desktop-blocks.png (-dark with --dark), for docs/desktop.md

``--desktop`` opens two of docs/desktop.md's own examples in the app's editor, on a real X display (Xvfb): the
hotkey example's workflow settings with its hotkey card, and the ask example with its ask.message step selected.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="flowdeck-shots-")
for _var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
os.environ["HOME"] = _HOME  # paths read ~/Flowdeck, ~/Downloads as on a person's machine
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.memkeyring.MemoryKeyring"  # this machine has no keyring
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.screenshots import _Report  # noqa: E402  (the same fake shop API as the editor's picture)

EXAMPLES = ROOT / "resources" / "examples"
OUT = ROOT / "docs" / "images"
RUN = ("hello.yaml", "daily-sales-report.yaml", "check-command.yaml")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workspace(api_port: int) -> Path:
    """The examples, as a new user's workspace; the sales report asks the local server instead of the shop."""
    ws = Path(_HOME) / "Flowdeck"
    ws.mkdir()
    (Path(_HOME) / "Downloads").mkdir()
    for example in sorted(EXAMPLES.glob("*.yaml")):
        text = example.read_text()
        if example.name == "daily-sales-report.yaml":
            text = text.replace("https://shop.example.com", f"http://127.0.0.1:{api_port}")
            text = text.replace("~/Reports", str(Path(_HOME) / "Reports"))
        (ws / example.name).write_text(text)
    return ws


def _wait(app, until, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def _grab(app, widget, name: str, out: Path, size: tuple[int, int] | None = None) -> None:
    if size is not None:  # offscreen's screen is 800 px wide and the first window fits it: the pictures are wider
        widget.resize(*size)
        _wait(app, lambda: False, 0.5)
    out.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(out / name))
    print(f"wrote {out / name}")


def main(argv: list[str]) -> int:
    import keyring

    from engine.cli.cmd_secret import SERVICE
    from gui.app import create_application
    from gui.shell import window as win
    from gui.shell.controller import AppController
    from gui.shell.settings import Settings
    from gui.shell.tray import Tray

    keyring.set_password(SERVICE, "smtp_password", "not-the-real-one")  # so the mail step gets as far as the server
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Report)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ws = _workspace(server.server_address[1])
    app = create_application()
    Tray.available = staticmethod(lambda: True)  # offscreen has no tray; the app would ask "quit or minimise?"
    theme = "dark" if "--dark" in argv else "light"
    settings = Settings(workspace=str(ws), webhook_port=_free_port(), tray_hint_shown=True, theme=theme)
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else OUT
    controller = AppController(app, None, settings)
    controller.start()
    controller.window.resize(1280, 600)
    every = len(list(ws.glob("*.yaml")))
    _wait(app, lambda: controller.service is not None and len(controller.dashboard.rows) == every, 20)
    finished = []
    controller.relay.run_finished.connect(lambda event: finished.append(event))
    for name in RUN:
        controller.run_now(str(ws / name))
    _wait(app, lambda: len(finished) == len(RUN), 60)
    _wait(app, lambda: False, 1.0)  # the dashboard refreshes a moment after the last run
    _grab(app, controller.window, "dashboard.png", out, (1280, 600))
    controller.dashboard.new_button.click()  # the template picker, the sales report picked
    picker = controller.dashboard.template_dialog
    picker.list.setCurrentRow(next(i for i in range(picker.list.count()) if "sales" in picker.list.item(i).text()))
    _wait(app, lambda: False, 0.5)
    _grab(app, picker, "templates.png", out, (860, 560))
    picker.reject()
    failed = next(e for e in finished if e.data.get("status") == "failed")
    controller.show_run(failed.run_id)
    _wait(app, lambda: False, 0.8)
    page = controller.history_page
    if page.detail.steps.topLevelItemCount():
        page.detail.steps.setCurrentItem(page.detail.steps.topLevelItem(0))
    _wait(app, lambda: False, 0.3)
    _grab(app, controller.window, "history.png", out, (1280, 720))
    win.show_page(controller.window, controller.dashboard)
    controller.quitting = True
    controller.service.stop(0)
    controller.engine.shutdown(1)
    server.shutdown()
    return 0


# (docs/desktop.md heading of the example, step to select or None for the workflow's settings, picture)
DESKTOP_SHOTS = (
    ("Hotkey example: a screenshot on Ctrl+Alt+S", None, "desktop-hotkey-card"),
    ("Example: a question with buttons, then a form", "ask", "desktop-blocks"),
)


def _scroll_to_settings(inspector) -> None:
    """Scroll the inspector so that the step's settings (the ask's buttons) are in the picture, not its help."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QLabel

    heading = next(w for w in inspector.page.findChildren(QLabel) if w.text() == "Settings")
    inspector.scroll.verticalScrollBar().setValue(heading.mapTo(inspector.page, QPoint(0, 0)).y() - 8)


def desktop_editor(argv: list[str]) -> int:
    """The editor pictures of docs/desktop.md: its examples opened in the app's editor as a person opens them."""
    from PySide6.QtCore import Qt

    from gui.app import create_application
    from gui.shell.controller import AppController
    from gui.shell.settings import Settings
    from gui.shell.tray import Tray
    from tests.support.docexamples import examples

    found = examples("desktop.md")
    ws = Path(_HOME) / "Flowdeck"
    ws.mkdir()
    app = create_application()
    Tray.available = staticmethod(lambda: True)  # no tray needed for the editor; the app would ask "quit or minimise?"
    theme = "dark" if "--dark" in argv else "light"
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else OUT
    settings = Settings(workspace=str(ws), webhook_port=_free_port(), tray_hint_shown=True, theme=theme)
    controller = AppController(app, None, settings)
    controller.start()
    _wait(app, lambda: controller.service is not None, 20)
    for heading, step, name in DESKTOP_SHOTS:
        path = ws / f"{name}.yaml"
        path.write_text(found[heading], encoding="utf-8")
        controller.open_file(str(path))
        controller.window.resize(1440, 860)
        page = controller.window.editor
        page.scene.select_steps([step] if step else [])
        if step is None:
            page.inspector.show_step(None)
        _wait(app, lambda: False, 0.6)  # the window's first layout is made by then: these sizes stay
        page.resizeDocks([page.palette_dock, page.inspector_dock], [220, 380], Qt.Orientation.Horizontal)
        page.resizeDocks([page.run_dock], [160], Qt.Orientation.Vertical)
        _wait(app, lambda: False, 0.3)
        page.view.zoom_fit()
        if step is not None:
            _scroll_to_settings(page.inspector)
        _grab(app, controller.window, f"{name}{'-dark' if theme == 'dark' else ''}.png", out)
    controller.quitting = True
    controller.service.stop(0)
    controller.engine.shutdown(1)
    return 0


if __name__ == "__main__":
    sys.exit(desktop_editor(sys.argv[1:]) if "--desktop" in sys.argv else main(sys.argv[1:]))
