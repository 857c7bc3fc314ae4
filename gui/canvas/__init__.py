"""The canvas: steps as nodes, wires between ports, following the document."""

from gui.canvas.node import NodeItem
from gui.canvas.runstatus import RunStatus
from gui.canvas.scene import WorkflowScene
from gui.canvas.view import BLOCK_MIME, WorkflowView
from gui.canvas.wire import WireItem

__all__ = ["BLOCK_MIME", "NodeItem", "RunStatus", "WireItem", "WorkflowScene", "WorkflowView"]
