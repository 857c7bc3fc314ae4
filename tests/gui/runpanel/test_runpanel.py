"""RunPanel with a real Engine and bridge: success, failure and retry shown in the log, table, detail and status."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from engine.errors import StepError
from engine.io import read_text
from engine.model.workflow import Workflow
from engine.registry import Kind, Param, Registry, default_registry
from engine.registry.blocks import BlockType
from engine.runtime import Engine
from gui.bridge import EngineBridge
from gui.document import WorkflowDocument
from gui.runpanel import RunPanel
from gui.runpanel.values import VIEW_LIMIT


def _flaky(ctx: Any, fails: int = 1) -> dict[str, Any]:
    count = ctx.state.get("calls", 0) + 1
    ctx.state.set("calls", count)
    if count <= fails:
        raise StepError(f"flaky failure {count}", kind="network")
    return {"calls": count}


REGISTRY = Registry(
    [
        *default_registry(),
        BlockType(
            "test.flaky", "Flaky", "Test", "fails n times", (Param("fails", Kind.INTEGER, default=1),), run=_flaky
        ),
    ]
)

WORKFLOW = """
flowdeck: 1
name: Panel run
vars: {who: world}
steps:
  greet:
    do: log
    title: Say hello
    with: {message: "hello {{ vars.who }}"}
    next: shaky
  shaky:
    do: test.flaky
    with: {fails: 2}
    retry: {attempts: 3, backoff: 0.05s}
    next: big
  big:
    do: text.template
    with: {template: "{{ 'x' * 30000 }}"}
    next: boom
  boom:
    do: fail
    with: {message: "stopped on purpose"}
"""


def load(text: str = WORKFLOW) -> Workflow:
    wf, problems = read_text(text, "panel.yaml", REGISTRY)
    assert wf is not None and not [p for p in problems if p.is_error], problems
    return wf


@pytest.fixture
def bridge(qtbot: QtBot) -> Iterator[EngineBridge]:
    engine = Engine(workers=2, registry=REGISTRY)
    bridge = EngineBridge(engine)
    yield bridge
    bridge.close()
    engine.shutdown(1)


@pytest.fixture
def panel(qtbot: QtBot, bridge: EngineBridge) -> RunPanel:
    widget = RunPanel(bridge)
    widget.set_document(WorkflowDocument(load(), REGISTRY))
    qtbot.addWidget(widget)
    widget.resize(1000, 360)
    widget.show()
    return widget


def _run(qtbot: QtBot, panel: RunPanel, bridge: EngineBridge, wf: Workflow) -> str:
    with qtbot.waitSignal(bridge.runFinished, timeout=15000):
        run_id = bridge.run(wf)
        panel.watch(run_id)
    panel.log.flush()
    return run_id


def _rows(panel: RunPanel) -> dict[str, list[str]]:
    table = panel.table
    return {
        table.item(r, 0).data(256): [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    }


def test_success_retry_and_failure_are_shown(qtbot: QtBot, panel: RunPanel, bridge: EngineBridge) -> None:
    _run(qtbot, panel, bridge, load())
    rows = _rows(panel)
    assert list(rows) == ["greet", "shaky", "big", "boom"]
    assert rows["greet"][0] == "Say hello (greet)" and rows["greet"][1] == "✓ Succeeded"
    assert rows["shaky"][1] == "✓ Succeeded" and rows["shaky"][3] == "3"
    assert rows["boom"][1] == "✗ Failed"
    assert all(cells[2] for cells in rows.values())  # every step has a duration
    log = panel.log.toPlainText()
    assert "greet hello world" in log
    assert log.count("retrying in") == 2 and "flaky failure 2" in log
    assert "boom failed: stopped on purpose" in log
    assert "Run failed" in log.splitlines()[-1]
    status = panel.status.text()
    assert "Failed" in status and "boom" in status and "stopped on purpose" in status
    assert not panel.stop.isEnabled()


def test_clicking_a_step_shows_inputs_output_and_log(qtbot: QtBot, panel: RunPanel, bridge: EngineBridge) -> None:
    _run(qtbot, panel, bridge, load())
    activated: list[str] = []
    panel.stepActivated.connect(activated.append)
    row = list(_rows(panel)).index("greet")
    panel.table.cellClicked.emit(row, 0)
    assert activated == ["greet"]
    detail = panel.detail
    assert json.loads(detail.views["Inputs"].toPlainText())["message"] == "hello world"  # rendered, not the template
    assert json.loads(detail.views["Output"].toPlainText()) == {"message": "hello world"}
    assert "hello world" in detail.views["Log"].toPlainText()
    detail.style_box.setCurrentText("YAML")
    assert detail.views["Output"].toPlainText().strip() == "message: hello world"
    detail.tabs.setCurrentIndex(0)
    detail.copy.click()
    assert "hello world" in QGuiApplication.clipboard().text()


def test_large_outputs_are_cut_in_view_but_copied_whole(qtbot: QtBot, panel: RunPanel, bridge: EngineBridge) -> None:
    _run(qtbot, panel, bridge, load())
    panel.show_step("big")  # as the canvas selection calls it: no stepActivated
    view = panel.detail.views["Output"].toPlainText()
    assert len(view) < VIEW_LIMIT + 200 and "more characters" in view
    panel.detail.tabs.setCurrentIndex(1)
    panel.detail.copy.click()
    assert QGuiApplication.clipboard().text().count("x") >= 30000
    panel.show_step("boom")
    assert "stopped on purpose" in panel.detail.error.text()
    panel.show_step("nowhere")
    assert "has not run yet" in panel.detail.title.text()


def test_stop_cancels_the_watched_run(qtbot: QtBot, panel: RunPanel, bridge: EngineBridge) -> None:
    wf = load("flowdeck: 1\nname: slow\nsteps:\n  pause:\n    do: wait\n    with: {duration: 30s}\n")
    with qtbot.waitSignal(bridge.stepStarted, timeout=10000):
        panel.watch(bridge.run(wf))
    qtbot.waitUntil(lambda: "Running" in panel.status.text() and "pause" in panel.status.text(), timeout=5000)
    assert panel.stop.isEnabled()
    with qtbot.waitSignal(bridge.runFinished, timeout=10000):
        panel.stop.click()
    assert "Cancelled" in panel.status.text() and not panel.stop.isEnabled()


def test_only_the_watched_run_is_shown(qtbot: QtBot, panel: RunPanel, bridge: EngineBridge) -> None:
    first = _run(qtbot, panel, bridge, load())
    other = load("flowdeck: 1\nname: other\nsteps:\n  solo:\n    do: log\n    with: {message: elsewhere}\n")
    with qtbot.waitSignal(bridge.runFinished, timeout=10000):
        bridge.run(other)  # not watched: the panel keeps showing the first run
    panel.log.flush()
    assert "elsewhere" not in panel.log.toPlainText() and "solo" not in _rows(panel)
    assert panel.run_id == first


def test_a_burst_of_log_lines_all_arrive_in_order(qtbot: QtBot, panel: RunPanel, bridge: EngineBridge) -> None:
    wf = load(
        "flowdeck: 1\nname: burst\nsteps:\n"
        "  loop:\n    do: for_each\n    with: {items: '{{ range(1200) | list }}'}\n    next: {body: say}\n"
        "  say:\n    do: log\n    with: {message: 'line {{ loop.item }}'}\n"
    )
    _run(qtbot, panel, bridge, wf)
    said = [line.split("say ", 1)[1] for line in panel.log.toPlainText().splitlines() if " say line " in line]
    assert said == [f"line {i}" for i in range(1200)]
    panel.show_step("say")
    shown = panel.detail.views["Log"].toPlainText()
    assert shown.startswith("… ") and shown.rstrip().endswith("line 1199")  # long logs show their end
    panel.detail.tabs.setCurrentIndex(2)
    panel.detail.copy.click()
    assert QGuiApplication.clipboard().text().count("info    line ") == 1200
    assert "Succeeded" in panel.status.text()


def test_selected_step_detail_follows_a_live_run(qtbot: QtBot, panel: RunPanel, bridge: EngineBridge) -> None:
    panel.show_step("greet")  # selected on the canvas before the run
    _run(qtbot, panel, bridge, load())
    assert json.loads(panel.detail.views["Output"].toPlainText()) == {"message": "hello world"}
    assert panel.table.selectedItems()[0].text() == "Say hello (greet)"


def test_a_long_title_is_cut_in_the_middle_and_whole_in_the_tooltip(
    qtbot: QtBot, panel: RunPanel, bridge: EngineBridge
) -> None:
    """A narrow step table keeps the id at the end of a long title visible, and the tooltip holds the whole title."""
    text = WORKFLOW.replace("title: Say hello", "title: Say hello to everybody who reads the very long report")
    wf = load(text)
    panel.set_document(WorkflowDocument(wf, REGISTRY))
    _run(qtbot, panel, bridge, wf)
    table = panel.table
    item = table.item(0, 0)
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
    tip = item.toolTip()
    assert tip.startswith("Say hello to everybody who reads the very long report (greet)") and "log" in tip
