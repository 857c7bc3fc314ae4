"""The canvas: steps as nodes, wires between ports, following the document.

The names are imported on first use, so that ``gui.canvas.style`` (page icons, colours) is cheap to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gui.canvas.node import NodeItem
    from gui.canvas.runstatus import RunStatus
    from gui.canvas.scene import WorkflowScene
    from gui.canvas.view import BLOCK_MIME, WorkflowView
    from gui.canvas.wire import WireItem

_WHERE = {
    "BLOCK_MIME": "view",
    "NodeItem": "node",
    "RunStatus": "runstatus",
    "WireItem": "wire",
    "WorkflowScene": "scene",
    "WorkflowView": "view",
}

__all__ = ["BLOCK_MIME", "NodeItem", "RunStatus", "WireItem", "WorkflowScene", "WorkflowView"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'gui.canvas' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gui.canvas.{module}"), name)
    globals()[name] = value
    return value
