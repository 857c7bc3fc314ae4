"""Run from the editor: a real Engine runs the document's workflow; the canvas shows live status; Stop cancels."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from engine.io import read_text
from engine.registry import default_registry
from engine.runtime import Engine
from gui.bridge import EngineBridge
from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.mainwindow import MainWindow

FLOW = """
flowdeck: 1
name: Editor run
steps:
  first:
    do: log
    with: {message: one}
    next: pause
  pause:
    do: wait
    with: {duration: 0.4s}
    next: broken
  broken:
    do: fail
    with: {message: on purpose}
layout:
  first: [0, 0]
  pause: [240, 0]
  broken: [480, 0]
"""


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = Engine(workers=2, registry=default_registry())
    yield eng
    eng.shutdown(1)


@pytest.fixture
def window(qtbot: QtBot, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    bridge = EngineBridge(engine)
    win = MainWindow(engine=engine, bridge=bridge)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    wf, _ = read_text(FLOW)
    page = win.editor
    page.set_document(page.new_document(wf))
    return win


def test_run_shows_live_status_and_the_gui_stays_responsive(window: MainWindow, qtbot: QtBot) -> None:
    page = window.editor
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(interval=10)
    timer.timeout.connect(tick)
    timer.start()
    with qtbot.waitSignal(window.runRequested, timeout=5000):
        page.actions_["run"].trigger()
    run_id = page.run_id
    assert run_id and page.actions_["stop"].isEnabled() and not page.actions_["run"].isEnabled()
    qtbot.waitUntil(lambda: page.scene.nodes["pause"].status == "running", timeout=10000)
    assert page.scene.nodes["first"].status == "succeeded" and page.scene.nodes["first"].status_text.endswith("ms")
    qtbot.waitUntil(lambda: page.run_id is None, timeout=15000)
    timer.stop()
    assert page.scene.nodes["pause"].status == "succeeded"
    assert page.scene.nodes["broken"].status == "failed"
    assert "failed" in page.view.hint_text() and "on purpose" in page.view.hint_text()
    assert page.actions_["run"].isEnabled()
    assert len(gaps) > 10  # the event loop kept turning while the workflow ran (timing itself is a benchmark)


def test_stop_cancels_the_run(window: MainWindow, qtbot: QtBot) -> None:
    page = window.editor
    page.document.set_param("pause", "duration", "20s")
    run_id = page.run()
    assert run_id
    qtbot.waitUntil(lambda: page.scene.nodes["pause"].status == "running", timeout=10000)
    started = time.monotonic()
    page.actions_["stop"].trigger()
    qtbot.waitUntil(lambda: page.run_id is None, timeout=10000)
    assert time.monotonic() - started < 10
    assert "cancelled" in page.view.hint_text()
    assert page.scene.nodes["broken"].status in ("", "skipped")


def test_run_refuses_a_workflow_with_problems(window: MainWindow) -> None:
    page = window.editor
    page.view.add_block("file.write")  # its path is required and empty
    assert page.run() is None
    assert page.run_id is None
    assert any("path" in t for t in page.problems.texts())
    assert "problem" in page.view.hint_text()


def test_run_uses_the_engine_not_a_copy_of_the_editor(window: MainWindow, qtbot: QtBot, engine: Engine) -> None:
    page = window.editor
    page.document.set_param("broken", "message", "edited in the editor")
    with qtbot.waitSignal(page.bridge.runFinished, timeout=15000) as finished:
        run_id = page.run()
    assert finished.args[0].run_id == run_id
    assert finished.args[0].data["error"]["message"] == "edited in the editor"
