"""Run status on the canvas: the running step glows, finished steps get a badge with their duration, and the
path the run took stays drawn (its wires highlighted, the steps it did not run dimmed) until the next edit or run.

Fed by the engine bridge's queued signals (only events of the run the editor started are shown), or by a past
run's record from the history (``show_record``: the editor's run view, gui.editor.pastrun).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine.model.workflow import ERROR_PORT
from gui.canvas.scene import WorkflowScene
from gui.signals import disconnect

NOT_RUN = "not run"
Key = tuple[str, str, str]


def taken_in_record(wires: Iterable[Key], steps: Mapping[str, Any]) -> set[Key]:
    """The wires a recorded run went along (the history keeps no ports): both ends ran, the later after the
    earlier, and an error wire only from a step that failed."""
    wires = list(wires)
    routed = {key[0] for key in wires if key[1] == ERROR_PORT}  # a failure there went on by its error wire
    taken = set()
    for key in wires:
        source, port, target = (steps.get(key[0]), key[1], steps.get(key[2]))
        if source is None or target is None:
            continue
        failed = source.status == "failed"
        if (port == ERROR_PORT and not failed) or (port != ERROR_PORT and failed and key[0] in routed):
            continue
        if source.started is not None and target.started is not None and target.started < source.started:
            continue
        taken.add(key)
    return taken


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


class RunStatus(QObject):
    watching = Signal(object)  # the run id now shown live (None: a past run, or nothing)
    finished = Signal(str)  # the run shown live ended (its path is drawn)

    def __init__(self, scene: WorkflowScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.run_id: str | None = None
        self.bridge: Any = None
        self._left: dict[str, str] = {}  # step -> the port the run left it by (failed: the error port)
        self._taken: set[Key] = set()
        self._dimmed: set[str] = set()
        self._stack: Any = None  # the undo stack whose next change ends the trail

    def set_bridge(self, bridge: Any) -> None:
        if self.bridge is not None:
            for signal, slot in self._slots():
                disconnect(getattr(self.bridge, signal), slot)
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

    def watch(self, run_id: str | None) -> None:
        """Show this run from now on (the previous run's badges and path go)."""
        self.run_id = run_id
        self.clear_trail()
        self.scene.clear_status()
        self._left.clear()
        self._taken.clear()
        self.watching.emit(run_id)

    def show_record(self, record: Any) -> None:
        """Show a past run: each step's badge, its path, and the steps it did not run dimmed."""
        self.watch(None)
        steps = {s.step: s for s in record.steps}
        for sid, step in steps.items():
            status = step.status if step.status in ("succeeded", "failed", "skipped") else "failed"
            text = duration_text(step.duration) if status != "skipped" else "skipped"
            self.scene.set_status(sid, status, text if step.status != "cancelled" else "stopped")
        self._taken = taken_in_record(self.scene.wires, steps)
        self.show_trail()

    # -- the path taken ------------------------------------------------------------------------
    def show_trail(self) -> None:
        """The run is over: its wires stay highlighted and the steps it did not reach dimmed, until an edit."""
        for key, wire in self.scene.wires.items():
            wire.set_trail("taken" if key in self._taken else "idle")
        for sid, node in self.scene.nodes.items():
            if not node.status:
                node.set_status("skipped", NOT_RUN)
                self._dimmed.add(sid)
        if self._stack is None:
            self._stack = self.scene.document.undo_stack
            self._stack.indexChanged.connect(self._edited)

    def trail(self) -> tuple[set[Key], set[str]]:
        """The wires highlighted and the steps dimmed now."""
        wires = {key for key, wire in self.scene.wires.items() if wire.trail == "taken"}
        return wires, {sid for sid in self._dimmed if sid in self.scene.nodes}

    def clear_trail(self) -> None:
        if self._stack is not None:
            disconnect(self._stack.indexChanged, self._edited)
            self._stack = None
        for wire in self.scene.wires.values():
            wire.set_trail("")
        for sid in self._dimmed:
            node = self.scene.nodes.get(sid)
            if node is not None and node.status_text == NOT_RUN:
                node.set_status("")
        self._dimmed.clear()

    def _edited(self, _index: int) -> None:
        self.clear_trail()

    def _arrived(self, step: str) -> None:
        """``step`` started: the wires into it from where the run left its earlier steps are taken."""
        for key, wire in self.scene.wires.items():
            if key[2] == step and self._left.get(key[0]) == key[1]:
                self._taken.add(key)
                wire.set_trail("taken")

    def _mine(self, event: Any) -> bool:
        return self.run_id is not None and event.run_id == self.run_id and event.step is not None

    def _started(self, event: Any) -> None:
        if self._mine(event):
            self._arrived(event.step)
            self.scene.set_status(event.step, "running", "running…")

    def _finished(self, event: Any) -> None:
        if self._mine(event):
            if event.step not in self._taken_into():
                self._arrived(event.step)  # a pinned step finishes without starting
            self._left[event.step] = str(event.data.get("port") or "next")
            text = "pinned" if event.data.get("pinned") else duration_text(event.data.get("duration"))
            self.scene.set_status(event.step, "succeeded", text)

    def _failed(self, event: Any) -> None:
        if self._mine(event):
            routed = any(k[0] == event.step and k[1] == ERROR_PORT for k in self.scene.wires)
            self._left[event.step] = ERROR_PORT if routed else "next"  # on_error: continue goes on by next
            self.scene.set_status(event.step, "failed", duration_text(event.data.get("duration")))

    def _skipped(self, event: Any) -> None:
        if self._mine(event):
            self._arrived(event.step)
            self._left[event.step] = "next"  # a disabled step is passed over: the run goes on by next
            self.scene.set_status(event.step, "skipped", "skipped")

    def _taken_into(self) -> set[str]:
        return {key[2] for key in self._taken}

    def _run_finished(self, event: Any) -> None:
        if self.run_id is None or event.run_id != self.run_id:
            return
        for node in self.scene.nodes.values():
            if node.status == "running":  # cancelled while it ran
                node.set_status("failed", "stopped")
        self.show_trail()
        self.finished.emit(event.run_id)
