"""Live run status on the canvas: the running step glows, finished steps get a badge with their duration.

Fed by the engine bridge's queued signals; only events of the run the editor started are shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from gui.canvas.scene import WorkflowScene


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


class RunStatus(QObject):
    def __init__(self, scene: WorkflowScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.run_id: str | None = None
        self.bridge: Any = None

    def set_bridge(self, bridge: Any) -> None:
        if self.bridge is not None:
            for signal, slot in self._slots():
                try:
                    getattr(self.bridge, signal).disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        self.bridge = bridge
        if bridge is not None:
            for signal, slot in self._slots():
                getattr(bridge, signal).connect(slot)

    def _slots(self) -> list[tuple[str, Any]]:
        return [
            ("stepStarted", self._started),
            ("stepFinished", self._finished),
            ("stepFailed", self._failed),
            ("stepSkipped", self._skipped),
            ("runFinished", self._run_finished),
        ]

    def watch(self, run_id: str) -> None:
        """Show this run from now on (the previous run's badges go)."""
        self.run_id = run_id
        self.scene.clear_status()

    def _mine(self, event: Any) -> bool:
        return self.run_id is not None and event.run_id == self.run_id and event.step is not None

    def _started(self, event: Any) -> None:
        if self._mine(event):
            self.scene.set_status(event.step, "running", "running…")

    def _finished(self, event: Any) -> None:
        if self._mine(event):
            text = "pinned" if event.data.get("pinned") else duration_text(event.data.get("duration"))
            self.scene.set_status(event.step, "succeeded", text)

    def _failed(self, event: Any) -> None:
        if self._mine(event):
            self.scene.set_status(event.step, "failed", duration_text(event.data.get("duration")))

    def _skipped(self, event: Any) -> None:
        if self._mine(event):
            self.scene.set_status(event.step, "skipped", "skipped")

    def _run_finished(self, event: Any) -> None:
        if self.run_id is None or event.run_id != self.run_id:
            return
        for node in self.scene.nodes.values():
            if node.status == "running":  # cancelled while it ran
                node.set_status("failed", "stopped")
