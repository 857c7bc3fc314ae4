"""Debugging from the canvas: Run this step, Run from here, pins, breakpoints, and a paused run's controls.

A mixin of EditorPage. The engine does the work (engine.runtime.debug): this builds the ``Debug`` a run from the
editor carries (the same rules as ``flowdeck run --from/--step/--pins/--break``: earlier outputs from this workflow's
last run in the history, pins from engine.runtime.pins beside the file) and answers the run's pauses. Breakpoints
live in the editor session (they are gone when the document is closed); pins are kept beside the workflow file, so
the CLI and the app share them. Pause and continue cross to a run process through the bridge (RunHandle.debug).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from engine.errors import one_line
from engine.runtime.debug import Debug, seed_from_steps
from engine.runtime.pins import PinsError, follow_renames, load_pins, pin, save_pins, unpin
from gui.editor import menus
from gui.editor.variables import VariablesPane
from gui.signals import disconnect

if TYPE_CHECKING:
    from gui.editor.page import EditorPage

FLUSH_SECONDS = 1.0  # at most this long on the GUI thread; a written history returns at once
NO_FILE = "Save the workflow first: its pins are kept beside its file"


class Debugging:
    def init_debugging(self: EditorPage) -> None:
        self.breakpoints: dict[str, str | None] = {}  # step -> condition (None: always); this session only
        self.pin_renames: dict[str, str] = {}  # a step renamed since the save: its id now -> its id in the file
        self.paused: Any = None  # the run_paused event of the editor's run while it waits
        self.variables = VariablesPane()
        self.variables_dock = self._dock(
            "Variables", "variablesDock", self.variables, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.run_dock, self.variables_dock)
        self.run_dock.raise_()
        self.documentChanged.connect(self._new_document_marks)

    def connect_debugging(self: EditorPage, old: Any, bridge: Any) -> None:
        """Follow the pauses of the editor's runs on ``bridge`` (and no longer on ``old``)."""
        for signal, slot in (("runPaused", self._run_paused), ("runResumed", self._run_resumed)):
            if old is not None:
                disconnect(getattr(old, signal), slot)
            if bridge is not None:
                getattr(bridge, signal).connect(slot)

    # -- what a run from the editor carries ------------------------------------------------------------
    def pins(self: EditorPage) -> dict[str, dict[str, Any]]:
        """The pins of the document's file ({} for an unsaved document); a broken pins file is said on the canvas."""
        if self.document.path is None:
            return {}
        try:
            return follow_renames(load_pins(self.document.path), self.pin_renames)
        except PinsError as exc:
            self.view.show_hint(one_line(str(exc)))
            return {}

    def keep_pins_under_new_ids(self: EditorPage) -> bool:
        """Write the pins of steps renamed since the file was saved under their new ids (done on save, and before
        a pin changes); False, said on the canvas, when the pins file could not be written."""
        if not self.pin_renames or self.document.path is None:
            self.pin_renames.clear()
            return True
        try:
            save_pins(self.document.path, follow_renames(load_pins(self.document.path), self.pin_renames))
        except PinsError as exc:
            self.view.show_hint(one_line(str(exc)))
            return False
        self.pin_renames.clear()
        return True

    def debug_for(self: EditorPage, start: str | None = None, only: bool = False) -> tuple[Debug | None, str]:
        """The Debug of a run from the editor (None: a plain run) and the canvas hint that says where its earlier
        outputs come from."""
        from engine.runtime.plan import compile_plan

        wf = self.document.workflow
        pins = {s: p for s, p in self.pins().items() if s in wf.steps and not (only and s == start)}
        breaks = {s: c for s, c in self.breakpoints.items() if s in wf.steps}  # a step deleted since is no typo
        seed: dict[str, Any] = {}
        hint = ""
        if start is not None:
            outputs, used = self._last_outputs()
            seed = seed_from_steps(compile_plan(wf, check=False), start, outputs)
            what = f"Running '{start}' alone" if only else f"Running from '{start}'"
            hint = (f"{what}, earlier outputs from run {used[:8]} (this workflow's last run)" if used else
                    f"{what}: no earlier run of this workflow, so the steps before it have no outputs")  # fmt: skip
        if pins:
            hint = (hint or "Running…") + f" · {len(pins)} pinned"
        if start is None and not pins and not breaks:
            return None, hint
        return Debug(start=start, only=only, seed=seed, pins=pins, breakpoints=breaks), hint

    def _last_outputs(self: EditorPage) -> tuple[dict[str, Any], str | None]:
        from engine.runtime.pastruns import past_outputs

        history = self._history()
        return past_outputs(history, self.document.workflow.name) if history is not None else ({}, None)

    def _history(self: EditorPage) -> Any:
        """The engine's history with the runs that already ended written (its writer thread lags a little: a Pin
        right after a run must find that run, not the one before)."""
        history = getattr(getattr(self.bridge, "engine", None), "history", None)
        if history is not None:
            history.flush(FLUSH_SECONDS)
        return history

    def run_step(self: EditorPage, step: str) -> str | None:
        """Run this step alone, with the earlier steps' outputs from the last run."""
        return self.run(start=step, only=True)

    def run_from(self: EditorPage, step: str) -> str | None:
        return self.run(start=step)

    # -- pins --------------------------------------------------------------------------------------------
    def pin_last_output(self: EditorPage, step: str) -> bool:
        """Pin ``step``'s output in the last run of this workflow that ran it; without one, open the dialog."""
        from engine.runtime.pastruns import NoPastRun, step_output

        history = self._history()
        try:
            if history is None:
                raise NoPastRun("no run history")
            output, run_id = step_output(history, self.document.workflow.name, step)
        except NoPastRun:
            self.pin_typed(step)
            return False
        return self.pin_value(step, output, run_id)

    def pin_typed(self: EditorPage, step: str) -> Any:
        """The small dialog that pins a value typed as YAML or JSON (prefilled with the current pin)."""
        from gui.editor.debugdialogs import PinDialog

        if self.document.path is None:
            self.view.show_hint(NO_FILE)
            return None
        current = self.pins().get(step, {}).get("output")
        self.pin_dialog = PinDialog(step, current, lambda value: self.pin_value(step, value), self)
        self.pin_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.pin_dialog.open()
        return self.pin_dialog

    def pin_value(self: EditorPage, step: str, value: Any, run_id: str | None = None) -> bool:
        if self.document.path is None:
            self.view.show_hint(NO_FILE)
            return False
        try:
            if not self.keep_pins_under_new_ids():
                return False
            pin(self.document.path, step, value, from_run=run_id)
        except PinsError as exc:
            self.view.show_hint(one_line(str(exc)))
            return False
        self.view.show_hint(f"Pinned '{step}'" + (f" from run {run_id[:8]}" if run_id else " (typed)"))
        self.refresh_debug_marks()
        return True

    def unpin_step(self: EditorPage, step: str) -> bool:
        if self.document.path is None:
            return False
        try:
            if not self.keep_pins_under_new_ids():
                return False
            removed = unpin(self.document.path, step)
        except PinsError as exc:
            self.view.show_hint(one_line(str(exc)))
            return False
        self.refresh_debug_marks()
        return removed

    # -- breakpoints -------------------------------------------------------------------------------------
    def toggle_breakpoint(self: EditorPage, step: str | None = None) -> bool | None:
        """Set or clear the breakpoint of ``step`` (default: the selected step); True when one is set now."""
        step = step or self._selected_step()
        if step is None:
            self.view.show_hint("Select a step to toggle its breakpoint")
            return None
        if step in self.breakpoints:
            del self.breakpoints[step]
        else:
            self.breakpoints[step] = None
        self.refresh_debug_marks()
        return step in self.breakpoints

    def edit_condition(self: EditorPage, step: str) -> Any:
        from gui.editor.debugdialogs import ConditionDialog

        def done(condition: str | None) -> None:
            self.breakpoints[step] = condition
            self.refresh_debug_marks()

        self.condition_dialog = ConditionDialog(step, self.breakpoints.get(step), done, self)
        self.condition_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.condition_dialog.open()
        return self.condition_dialog

    def _selected_step(self: EditorPage) -> str | None:
        steps = self.scene.selected_steps()
        return steps[0] if len(steps) == 1 else None

    def refresh_debug_marks(self: EditorPage) -> None:
        pins = self.pins()
        self.scene.set_debug_marks(breakpoints=dict(self.breakpoints), pins=set(pins))
        self.actions_["pin"].setEnabled(self.document.path is not None)  # pins are kept beside the file
        self.actions_["unpin"].setEnabled(bool(pins))

    def _new_document_marks(self: EditorPage, document: Any) -> None:
        self.breakpoints.clear()  # they belong to the session of the document that was open
        self.pin_renames.clear()
        document.pathChanged.connect(lambda _path: self.refresh_debug_marks())  # saved as: that file's pins
        document.stepRenamed.connect(self._step_renamed)
        self.refresh_debug_marks()

    def _step_renamed(self: EditorPage, old: str, new: str) -> None:
        """A breakpoint and a pin follow their step's new id; the pins file, read by `flowdeck run --pins` with the
        saved file, has it once the workflow is saved (an undone rename is undone here too)."""
        if old in self.breakpoints:
            self.breakpoints[new] = self.breakpoints.pop(old)
        was = self.pin_renames.pop(old, old)
        if was != new:
            self.pin_renames[new] = was
        self.refresh_debug_marks()

    # -- a paused run --------------------------------------------------------------------------------------
    def run_or_continue(self: EditorPage) -> str | None:
        """F5: continue the paused run, or start one."""
        if self.paused is not None:
            self.debug_command("continue")
            return self.run_id
        return self.run()

    def debug_command(self: EditorPage, command: str, target: str | None = None) -> bool:
        """Continue, step or run to ``target`` the paused run (Stop is the run's Stop)."""
        if self.paused is None or self.run_id is None or self.bridge is None:
            return False
        self.bridge.debug(self.run_id, command, target)
        self.unpause("Running…" if command != "run_to" else f"Running to '{target}'…")
        return True

    def _run_paused(self: EditorPage, event: Any) -> None:
        if event.run_id != self.run_id:
            return
        self.paused = event
        self.scene.set_debug_marks(paused=event.step)
        self.variables.show_paused(event.step, event.data)
        self.variables_dock.show()
        self.variables_dock.raise_()
        self.view.show_hint(f"Paused before {event.step}")
        self._update_run_actions()

    def _run_resumed(self: EditorPage, event: Any) -> None:
        if self.paused is not None and event.run_id == self.run_id and event.step == self.paused.step:
            self.unpause("Running…")

    def unpause(self: EditorPage, hint: str | None = None) -> None:
        """The run goes on or ended: no step is marked paused, the Variables pane says so."""
        was = self.paused
        self.paused = None
        self.scene.set_debug_marks(paused=None)
        if was is not None:
            self.variables.clear_paused(f"Not paused (was paused before '{was.step}')")
        if hint:
            self.view.show_hint(hint)
        self._update_run_actions()

    def update_debug_actions(self: EditorPage) -> None:
        """Continue and Step only while paused; F5 goes to Continue then, and back to Run after."""
        actions = self.actions_
        paused = self.paused is not None
        actions["continue"].setEnabled(paused)
        actions["step_over"].setEnabled(paused)
        run_keys = [QKeySequence("Ctrl+R")] if paused else [QKeySequence("F5"), QKeySequence("Ctrl+R")]
        actions["run"].setShortcuts(run_keys)  # one action per key at a time: Qt fires neither of two
        actions["continue"].setShortcuts([QKeySequence("F5")] if paused else [])


def _step_menu(page: EditorPage, key: Any, _at: QPointF, menu: QMenu) -> None:
    """The debugging entries of a step's right-click menu."""
    a = page.actions_
    menu.addSeparator()
    running = page.run_id is not None
    entries = [
        ("Run T&his Step", "menu_run_step", lambda: page.run_step(key), not running),
        ("Run &From Here", "menu_run_from", lambda: page.run_from(key), not running),
        ("Run t&o Here", "menu_run_to", lambda: page.debug_command("run_to", key), page.paused is not None),
    ]
    for text, name, fn, enabled in entries:
        action = menu.addAction(text, fn)
        action.setObjectName(name)
        action.setEnabled(enabled)
    menu.addSeparator()
    pinned = key in page.pins()
    pin_menu = menu.addMenu("&Pin Output")
    pin_menu.menuAction().setObjectName("menu_pin")
    pin_menu.addAction("From the &Last Run", lambda: page.pin_last_output(key)).setObjectName("menu_pin_last")
    pin_menu.addAction("&Type a Value…", lambda: page.pin_typed(key)).setObjectName("menu_pin_typed")
    pin_menu.setEnabled(page.document.path is not None)
    if pinned:
        menu.addAction("Unp&in", lambda: page.unpin_step(key)).setObjectName("menu_unpin")
    toggle = menu.addAction(a["breakpoint"].text(), lambda: page.toggle_breakpoint(key))
    toggle.setShortcut(a["breakpoint"].shortcut())
    toggle.setObjectName("menu_breakpoint")
    if key in page.breakpoints:
        condition = menu.addAction("Brea&kpoint Condition…", lambda: page.edit_condition(key))
        condition.setObjectName("menu_condition")


menus.extend("step", _step_menu)
