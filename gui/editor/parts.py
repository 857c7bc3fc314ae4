"""The inspector and run panel come from their own packages; until those exist a plain placeholder stands in."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class Placeholder(QLabel):
    """Stands where a panel will go; accepts the calls the real one would get."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setEnabled(False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("set_", "show_", "watch")):
            return lambda *args, **kwargs: None
        raise AttributeError(name)


def make_inspector(document: Any) -> QWidget:
    try:
        from gui.inspector import Inspector
    except ImportError:
        return Placeholder("Select a step to edit its settings.")
    return Inspector(document)


def make_run_panel(bridge: Any) -> QWidget:
    try:
        from gui.runpanel import RunPanel
    except ImportError:
        return Placeholder("Press Run to try the workflow; its log appears here.")
    return RunPanel(bridge)
