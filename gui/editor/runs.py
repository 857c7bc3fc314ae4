"""Run and Stop from the editor: the engine runs the document's workflow; the canvas and run panel show it live.

A mixin of EditorPage. Runs go through the bridge (engine on worker threads, events as queued signals), so the
window never waits for a step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.errors import SHORT, one_line
from engine.io import WorkflowError, errors
from gui.signals import disconnect

if TYPE_CHECKING:
    from gui.editor.page import EditorPage


class Running:
    def init_running(self: EditorPage) -> None:
        self.run_id: str | None = None
        self.set_bridge(self.bridge)

    def set_bridge(self: EditorPage, bridge: Any) -> None:
        old = getattr(self, "_connected_bridge", None)
        if old is not None:
            disconnect(old.runFinished, self._run_finished)
        self.bridge = bridge
        self._connected_bridge = bridge
        self.connect_debugging(old, bridge)
        self.run_status.set_bridge(bridge)
        self.run_panel.set_bridge(bridge)
        if bridge is not None:
            bridge.runFinished.connect(self._run_finished)
        self._update_run_actions()

    def running(self: EditorPage) -> bool:
        return self.run_id is not None

    def run(self: EditorPage, start: str | None = None, only: bool = False) -> str | None:
        """Run the workflow as it is now in the editor (from step ``start``, or ``only`` that step, with the
        pins and breakpoints: gui/editor/debugging.py); returns the run id, or None (and says why)."""
        if self.bridge is None:
            self.view.show_hint("The engine is still starting; try again in a moment.")
            return None
        if self.running():
            return self.run_id
        found = errors(self.document.problems())
        if found:
            self._refuse(found)
            return None
        debug, hint = self.debug_for(start, only)
        try:
            run_id = self.bridge.run(self.document.workflow.snapshot(), source="step" if only else "editor",
                                     debug=debug)  # fmt: skip
        except WorkflowError as exc:
            self._refuse(exc.problems)
            return None
        except ValueError as exc:  # the debug run names a step the engine does not know
            self.view.show_hint(one_line(f"Not run: {exc}", SHORT))
            return None
        self.run_id = run_id
        self.run_status.watch(run_id)
        self.run_panel.watch(run_id)
        self.run_dock.show()
        self.run_dock.raise_()
        self.view.show_hint(hint or "Running…")
        self._update_run_actions()
        return run_id

    def _refuse(self: EditorPage, problems: list) -> None:
        self.problems.show_problems(problems)
        self.problems_dock.show()
        self.problems_dock.raise_()
        self.view.show_hint(f"Not run: {len(problems)} problem{'s' if len(problems) != 1 else ''} to fix first")

    def stop(self: EditorPage) -> bool:
        if self.bridge is None or self.run_id is None:
            return False
        return bool(self.bridge.cancel(self.run_id))

    def _run_finished(self: EditorPage, event: Any) -> None:
        if event.run_id != self.run_id:
            return
        self.run_id = None
        self.unpause()
        status = event.data.get("status", "finished")
        error = event.data.get("error") or {}
        text = one_line(f"Run {status}" + (f": {error.get('message')}" if error.get("message") else ""), SHORT)
        self.view.show_hint(text)
        self._update_run_actions()

    def _update_run_actions(self: EditorPage) -> None:
        actions = getattr(self, "actions_", None)
        if not actions:
            return
        actions["run"].setEnabled(self.bridge is not None and self.run_id is None)
        actions["stop"].setEnabled(self.run_id is not None)
        for name in ("run_step", "run_from"):
            actions[name].setEnabled(self.bridge is not None and self.run_id is None)
        self.update_debug_actions()
