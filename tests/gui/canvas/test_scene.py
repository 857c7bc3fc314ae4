"""The canvas follows the document: items appear, move, rewire and vanish as commands run and are undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from engine.io import dumps, read_file
from engine.model.workflow import Step, Workflow
from gui.canvas import WorkflowScene, WorkflowView, layout, style
from gui.canvas.node import summary_text
from gui.document import WorkflowDocument

EXAMPLE = Path(__file__).resolve().parents[3] / "resources" / "examples" / "daily-sales-report.yaml"


@pytest.fixture
def canvas(qtbot: QtBot) -> tuple[WorkflowDocument, WorkflowScene, WorkflowView]:
    wf, _ = read_file(EXAMPLE)
    doc = WorkflowDocument(wf)
    scene = WorkflowScene(doc)
    view = WorkflowView(scene)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    view.resetTransform()
    view.centerOn(400, 100)
    return doc, scene, view


def _keys(scene: WorkflowScene) -> set[tuple[str, str, str]]:
    return set(scene.wires)


def _model_keys(doc: WorkflowDocument) -> set[tuple[str, str, str]]:
    return {(sid, p, t) for sid, s in doc.workflow.steps.items() for p, t in s.targets()}


def test_scene_draws_every_step_and_wire(canvas) -> None:
    doc, scene, _ = canvas
    assert set(scene.nodes) == set(doc.workflow.steps)
    assert _keys(scene) == _model_keys(doc)
    fetch = scene.nodes["fetch"]
    assert fetch.pos() == QPointF(240, 0)
    assert fetch.title == "Fetch the report" and fetch.summary == "{{ vars.api }}"
    assert fetch.ports == ["next", "error"]
    assert scene.nodes["append"].icon == "csv"


def test_items_follow_commands_undo_and_redo(canvas) -> None:
    doc, scene, _ = canvas
    doc.remove_steps(["keep"])
    assert "keep" not in scene.nodes and _keys(scene) == _model_keys(doc)
    doc.rename_step("fetch", "download")
    assert "download" in scene.nodes and scene.nodes["download"].step_id == "download"
    assert _keys(scene) == _model_keys(doc)
    doc.move_steps({"download": (300, 60)})
    assert scene.nodes["download"].pos() == QPointF(300, 60)
    doc.set_param("download", "url", "https://example.com/x")
    assert scene.nodes["download"].summary == "https://example.com/x"
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
        assert set(scene.nodes) == set(doc.workflow.steps)
        assert _keys(scene) == _model_keys(doc)
    assert scene.nodes["fetch"].pos() == QPointF(240, 0)
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
        assert _keys(scene) == _model_keys(doc)


def test_wire_drag_connects_and_refuses_with_a_hint(canvas, qtbot: QtBot) -> None:
    doc, scene, view = canvas
    keep, alert = scene.nodes["keep"], scene.nodes["alert"]
    start = view.mapFromScene(keep.mapToScene(keep.output_pos("error")))
    end = view.mapFromScene(alert.mapToScene(QPointF(60, 40)))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(view.viewport(), (start + end) / 2)
    QTest.mouseMove(view.viewport(), end)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert doc.workflow.steps["keep"].on_error == "alert"
    assert ("keep", "error", "alert") in scene.wires
    assert doc.undo_stack.count() == 1
    # the same wire again is refused, and so is a wire to itself
    scene.start_wire(keep, "next", keep.scenePos())
    assert "itself" in (scene.finish_wire(keep.sceneBoundingRect().center()) or "")
    assert "itself" in view.hint_text()
    scene.start_wire(keep, "next", keep.scenePos())
    assert "already" in (scene.finish_wire(scene.nodes["append"].sceneBoundingRect().center()) or "")
    assert doc.undo_stack.count() == 1


def test_click_wire_and_delete(canvas) -> None:
    doc, scene, view = canvas
    wire = scene.wires[("fetch", "next", "keep")]
    point = view.mapFromScene(wire.path().pointAtPercent(0.5))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert scene.selected_wires() == [("fetch", "next", "keep")]
    assert scene.selected_steps() == []
    scene.delete_selection()
    assert doc.workflow.steps["fetch"].next == {}
    assert ("fetch", "next", "keep") not in scene.wires
    assert set(doc.workflow.steps) == {"yesterday", "fetch", "keep", "append", "alert"}


def test_rubber_band_then_multi_move_is_one_command_and_snaps(canvas, qtbot: QtBot) -> None:
    doc, scene, view = canvas
    a = view.mapFromScene(QPointF(200, -60))
    b = view.mapFromScene(QPointF(700, 120))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(view.viewport(), b)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert sorted(scene.selected_steps()) == ["fetch", "keep"]
    grab = view.mapFromScene(scene.nodes["fetch"].mapToScene(QPointF(40, 40)))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
    for dx in (10, 20, 33):
        QTest.mouseMove(view.viewport(), grab + type(grab)(dx, 47))
    QTest.mouseRelease(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab + type(grab)(33, 47)
    )
    assert doc.undo_stack.count() == 1
    fx, fy = doc.workflow.layout["fetch"]
    assert fx % style.GRID == 0 and fy % style.GRID == 0 and (fx, fy) != (240, 0)
    assert doc.workflow.layout["keep"][0] - fx == 240  # moved together
    doc.undo_stack.undo()
    assert doc.workflow.layout["fetch"] == [240, 0] and scene.nodes["fetch"].pos() == QPointF(240, 0)


def test_wheel_zoom_and_fit(canvas, qtbot: QtBot) -> None:
    _, scene, view = canvas
    before = view.zoom()
    view.zoom_in()
    assert view.zoom() > before
    for _ in range(40):
        view.zoom_out()
    assert view.zoom() == pytest.approx(0.15)
    view.zoom_fit()
    rect = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(rect.contains(node.sceneBoundingRect()) for node in scene.nodes.values())


def test_tidy_up_places_columns_by_order_and_undoes(canvas) -> None:
    doc, scene, _ = canvas
    before = dumps(doc.workflow)
    doc.move_steps({"fetch": (900, 900), "yesterday": (1200, 40)})
    scene.tidy_up()
    lay = doc.workflow.layout
    assert lay["yesterday"][0] < lay["fetch"][0] < lay["keep"][0] < lay["append"][0]
    assert lay["alert"][0] == lay["keep"][0] and lay["alert"][1] != lay["keep"][1]
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert dumps(doc.workflow) == before


def test_layout_of_a_loop_and_a_file_without_positions(qtbot: QtBot) -> None:
    wf = Workflow(name="loop")
    wf.steps["a"] = Step("a", "log", next={"next": ["b"]})
    wf.steps["b"] = Step("b", "if", next={"then": ["a"], "else": ["c"]})
    wf.steps["c"] = Step("c", "log")
    assert layout.layers(wf) == {"a": 0, "b": 1, "c": 2}
    scene = WorkflowScene(WorkflowDocument(wf))
    assert scene.nodes["a"].pos().x() < scene.nodes["b"].pos().x() < scene.nodes["c"].pos().x()
    assert wf.layout == {}  # placing them is the view's business until the person moves one


def test_problem_steps_are_marked(canvas, qtbot: QtBot) -> None:
    doc, scene, _ = canvas
    from engine.registry import MISSING

    doc.set_param("fetch", "url", MISSING)
    qtbot.waitUntil(lambda: bool(scene.nodes["fetch"].problems), timeout=3000)
    assert "url" in scene.nodes["fetch"].toolTip()
    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: not scene.nodes["fetch"].problems, timeout=3000)


def test_summary_text() -> None:
    from engine.registry import default_registry

    reg = default_registry()
    assert summary_text(Step("s", "log", params={"message": "hi\n  there"}), reg.get("log")) == "hi there"
    assert "unknown block" in summary_text(Step("s", "nope"), None)
    assert summary_text(Step("s", "file.write"), reg.get("file.write")) == "path: —"


def test_dark_palette_gives_dark_canvas(qapp) -> None:
    from PySide6.QtGui import QColor, QPalette

    old = qapp.palette()
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    qapp.setPalette(dark)
    try:
        assert style.colours().dark and style.colours().background.lightness() < 80
    finally:
        qapp.setPalette(old)
    assert not style.colours().dark


def test_switch_gets_a_new_case_port_named_when_wired(qtbot: QtBot) -> None:
    doc = WorkflowDocument()
    sw = doc.add_step("switch", (0, 0))
    weekend = doc.add_step("log", (300, 0))
    scene = WorkflowScene(doc)
    node = scene.nodes[sw]
    assert node.ports == ["default", "+ case", "error"]
    scene.ask_port_name = lambda source: "saturday"
    scene.start_wire(node, "+ case", node.scenePos())
    assert scene.finish_wire(scene.nodes[weekend].sceneBoundingRect().center()) is None
    assert doc.workflow.steps[sw].next == {"saturday": [weekend]}
    assert scene.nodes[sw].ports == ["default", "saturday", "+ case", "error"]
    assert (sw, "saturday", weekend) in scene.wires
    scene.ask_port_name = lambda source: ""  # cancelled: nothing happens
    scene.start_wire(node, "+ case", node.scenePos())
    scene.finish_wire(scene.nodes[weekend].sceneBoundingRect().center())
    assert doc.undo_stack.count() == 3
