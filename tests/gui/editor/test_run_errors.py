"""A failed web request in the editor: one short line everywhere, the answer kept as data, the window no wider."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from engine.io import read_text
from engine.registry import default_registry
from engine.runtime import Engine
from gui.bridge import EngineBridge
from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.mainwindow import MainWindow


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[str]:
    """What ``python -m http.server`` is: a folder served over HTTP; a missing file answers 404 with an HTML page."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = Engine(workers=2, registry=default_registry())
    yield eng
    eng.shutdown(1)


def test_a_404_with_an_html_body_is_one_short_line_and_the_window_keeps_its_size(
    qtbot: QtBot, engine: Engine, static_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    win = MainWindow(engine=engine, bridge=EngineBridge(engine))
    qtbot.addWidget(win)
    win.resize(1100, 700)
    win.show()
    qtbot.waitExposed(win)
    flow = f"flowdeck: 1\nname: Fetch\nsteps:\n  fetch:\n    do: http.request\n    with: {{url: '{static_server}/x'}}\n"
    wf, _ = read_text(flow)
    page = win.editor
    page.set_document(page.new_document(wf))
    page.run_dock.show()
    qtbot.wait(50)
    before = win.minimumSizeHint().width()
    win.activateWindow()
    page.view.setFocus()
    qtbot.waitUntil(page.view.hasFocus)
    qtbot.keyClick(page.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: page.run_id is None and page.run_panel.current() is not None, timeout=15000)
    qtbot.waitUntil(lambda: page.run_panel.current().status == "failed", timeout=15000)
    qtbot.wait(50)
    panel = page.run_panel
    status = panel.status.text()
    assert "404" in status and "File not found" in status and "<!DOCTYPE" not in status and "&lt;" not in status
    assert win.minimumSizeHint().width() <= before
    log_lines = [line for line in panel.log.toPlainText().splitlines() if "404" in line]
    assert log_lines and all(len(line) < 400 for line in log_lines)
    assert "\n" not in page.view.hint_text() and len(page.view.hint_text()) < 300
    step = panel.current().steps["fetch"]
    assert step.output["status"] == 404
    assert "text/html" in step.output["headers"]["content-type"]
    assert "<html" in step.output["body"].lower()
    panel.show_step("fetch")
    assert "404" in panel.detail.full["Output"]
