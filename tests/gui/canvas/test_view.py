"""The view: panning, zooming around the pointer, dropping blocks where the pointer is."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gui.canvas import BLOCK_MIME, WorkflowScene, WorkflowView, style
from gui.document import WorkflowDocument


def _view(qtbot: QtBot) -> tuple[WorkflowDocument, WorkflowView]:
    doc = WorkflowDocument()
    view = WorkflowView(WorkflowScene(doc))
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    return doc, view


def test_drop_a_block_where_the_pointer_is(qtbot: QtBot) -> None:
    doc, view = _view(qtbot)
    data = QMimeData()
    data.setData(BLOCK_MIME, b"http.request")
    at = QPoint(300, 200)
    event = QDropEvent(
        QPointF(at), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    view.dropEvent(event)
    assert list(doc.workflow.steps) == ["request"]
    step = doc.workflow.steps["request"]
    assert step.do == "http.request" and step.params.get("method") in (None, "GET")
    x, y = doc.workflow.layout["request"]
    scene_at = view.mapToScene(at)
    assert abs(x + style.NODE_W / 2 - scene_at.x()) <= style.GRID and abs(y - scene_at.y()) <= style.GRID * 1.5
    assert view.workflow_scene().selected_steps() == ["request"]


def test_middle_button_and_space_drag_pan(qtbot: QtBot) -> None:
    _, view = _view(qtbot)
    start = view.mapToScene(view.viewport().rect().center())
    QTest.mousePress(view.viewport(), Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(400, 300))
    QTest.mouseMove(view.viewport(), QPoint(300, 250))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(300, 250))
    moved = view.mapToScene(view.viewport().rect().center())
    assert (moved.x() - start.x(), moved.y() - start.y()) == (100, 50)
    QTest.keyPress(view, Qt.Key.Key_Space)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(300, 300))
    QTest.mouseMove(view.viewport(), QPoint(350, 300))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(350, 300))
    QTest.keyRelease(view, Qt.Key.Key_Space)
    again = view.mapToScene(view.viewport().rect().center())
    assert again.x() - moved.x() == -50
    assert view.workflow_scene().selected_steps() == []  # panning is not box-selecting


def test_wheel_zooms_around_the_pointer(qtbot: QtBot) -> None:
    _, view = _view(qtbot)
    pointer = QPointF(600, 150)
    under = view.mapToScene(pointer.toPoint())
    wheel = QWheelEvent(
        pointer,
        view.viewport().mapToGlobal(pointer),
        QPoint(),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom() > 1.3
    after = view.mapToScene(pointer.toPoint())
    assert abs(after.x() - under.x()) < 3 and abs(after.y() - under.y()) < 3
