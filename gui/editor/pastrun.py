"""A past run in the editor: its workflow on the canvas with the path it took, its values in the inspector.

Opened from the History page (Open in editor). The file is opened (as the version the run ran, when it changed
since: one undoable edit), the canvas shows each step's badge, the wires the run took and the steps it did not run
dimmed, and the inspector shows the selected step's inputs and output in that run. A bar above the canvas says
which run it is, and offers "Run from here with this run's data" (a debug run starting at the selected step, the
earlier steps' outputs taken from the run) and "Back to editing". A past run is never edited: any edit leaves the
run view, and says so.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QToolBar, QToolButton, QWidget

from gui.signals import disconnect

if TYPE_CHECKING:
    from gui.editor.page import EditorPage

LEFT_ON_EDIT = "Left the run view: you edited the workflow (a past run is never changed)"


def file_problem(record: Any) -> str | None:
    """Why ``record``'s workflow cannot be opened (one line), or None."""
    short = record.run_id[:6]
    if not record.path:
        return f"Run {short} has no workflow file (it was started without one)."
    path = Path(record.path)
    if not path.is_file():
        return f"The workflow file of run {short}, {path.name}, is gone (it was in {path.parent})"
    return None


def run_title(record: Any) -> str:
    started = datetime.fromtimestamp(record.started) if record.started else None
    when = f" of {started.day} {started.strftime('%b %H:%M')}" if started else ""
    return f"Showing run {record.run_id[:6]}{when}"


def history_of(page: EditorPage) -> Any:
    """The run history the page's engine writes (None without one)."""
    return getattr(getattr(page.bridge, "engine", None), "history", None)


class RunView(QObject):
    """The page's run view: shows one past run, and ends on Back to editing, an edit, or a new run."""

    def __init__(self, page: EditorPage) -> None:
        super().__init__(page)
        self.page = page
        self.record: Any = None
        self._steps: dict[str, Any] = {}
        self._stack: Any = None
        self.bar = QToolBar("Run view", page)
        self.bar.setObjectName("runViewBar")
        self.bar.setMovable(False)
        self.bar.setFloatable(False)
        self.bar.toggleViewAction().setVisible(False)  # not one of the toolbars a person switches on
        self.label = QLabel()
        self.label.setObjectName("runViewTitle")
        self.label.setContentsMargins(8, 0, 0, 0)
        self.run_here = QPushButton("Run from here with this run's data")
        self.run_here.setObjectName("runFromHere")
        self.run_here.setToolTip(
            "Run the selected step and the steps after it; the steps before it are not run again, "
            "their outputs come from this run"
        )
        self.run_here.clicked.connect(self.run_from_here)
        self.back = QToolButton()  # right after the title, like a link: "Showing run 3f2a9c of 2 Dec 14:05 — Back…"
        self.back.setText("Back to editing")
        self.back.setObjectName("backToEditing")
        self.back.setAutoRaise(True)
        self.back.setStyleSheet("QToolButton { color: palette(link); text-decoration: underline; }")
        self.back.clicked.connect(lambda: self.leave())
        self.bar.addWidget(self.label)
        self.bar.addWidget(self.back)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred)
        self.bar.addWidget(spacer)
        self.bar.addWidget(self.run_here)
        page.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        page.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.bar)
        self.bar.hide()
        page.scene.selectionChanged.connect(self._update_button)
        page.documentChanged.connect(lambda _doc: self.leave())
        page.run_status.watching.connect(lambda run_id: run_id is not None and self.leave(quiet=True))

    @property
    def active(self) -> bool:
        return self.record is not None

    # -- showing a run -------------------------------------------------------------------------
    def open(self, record: Any) -> str | None:
        """Open ``record``'s workflow and show the run; returns why it could not (one line), or None."""
        problem = file_problem(record)
        if problem:
            self.page.view.show_hint(problem)
            return problem
        page = self.page
        path = Path(record.path).resolve()
        if (page.document.path != path or page.document.is_modified()) and not page.open_file(path):
            return f"{path.name} could not be opened"
        note = self._as_it_ran(record, path)
        self.show(record, note)
        return None

    def _as_it_ran(self, record: Any, path: Path) -> str:
        """Put the version the run ran into the document when the file changed since (one undoable edit)."""
        if record.version is None:
            return ""
        from engine.io import read_text
        from engine.versions.store import FILE_NAME, VersionStore
        from gui.editor.versions import restore_into

        history = history_of(self.page)  # the versions the history names are kept next to it
        store = VersionStore(history.path.with_name(FILE_NAME) if hasattr(history, "path") else None)
        try:
            version = store.get(path, record.version)
            text = store.text(version) if version is not None else None
        except (LookupError, OSError, sqlite3.Error):  # the versions cannot be read: the file as it is
            text = None
        finally:
            store.close()
        if text is None:
            return f" · v{record.version} of the file is no longer kept: showing the file as it is"
        if text == path.read_text(encoding="utf-8", errors="replace"):
            return ""
        workflow, _problems = read_text(text, str(path), self.page.registry, check=False)
        if workflow is None:
            return ""
        restore_into(self.page.document, workflow, f"v{record.version} (run {record.run_id[:6]})")
        return f" · v{record.version}, the version it ran (the file changed since; Undo brings it back)"

    def show(self, record: Any, note: str = "") -> None:
        """Show ``record`` on the canvas of the open document."""
        self.leave(quiet=True)
        page = self.page
        self.record = record
        self._steps = {s.step: s for s in record.steps}
        page.run_status.show_record(record)
        page.previewer.load(page.document.workflow, page.document.path, None, record)
        page.inspector.set_past_run(lambda step: (record.run_id, self._steps.get(step)))
        self.label.setText(f"{run_title(record)}{note} —")
        self.label.setToolTip(f"Run {record.run_id}: {record.status}")
        self.bar.show()
        self._update_button()
        self._stack = page.document.undo_stack
        self._stack.indexChanged.connect(self._edited)
        page.tabs.setCurrentWidget(page.view)
        page.view.show_hint(f"{run_title(record)}: select a step to see what it got and gave")

    def leave(self, message: str = "", *, quiet: bool = False) -> None:
        """Back to editing: the bar and the run's values go (the badges stay until the next edit or run)."""
        if self.record is None:
            return
        self.record = None
        self._steps = {}
        if self._stack is not None:
            disconnect(self._stack.indexChanged, self._edited)
            self._stack = None
        self.bar.hide()
        page = self.page
        page.inspector.set_past_run(None)
        self.refresh_previews()
        if not quiet:
            page.view.show_hint(message or "Back to editing")

    def refresh_previews(self, flush: bool = False) -> None:
        """Preview with the workflow's last run (and pins): after opening a file and after each editor run."""
        page = self.page
        if self.record is not None:
            return  # the run shown is what the previews use
        history = history_of(page)
        if flush and history is not None and hasattr(history, "flush"):
            history.flush(2.0)  # the run's rows are written by the history's thread: wait for them (ms)
        page.previewer.load(page.document.workflow, page.document.path, history)
        page.inspector.refresh_previews()

    def _edited(self, _index: int) -> None:
        self.page.run_status.clear_trail()
        self.leave(LEFT_ON_EDIT)

    # -- running from a step -------------------------------------------------------------------
    def selected_step(self) -> str | None:
        try:
            steps = self.page.scene.selected_steps()
        except RuntimeError:  # the scene is going away with the window
            return None
        return steps[0] if len(steps) == 1 else None

    def _update_button(self) -> None:
        if self.record is None:
            return
        step = self.selected_step()
        self.run_here.setEnabled(step is not None and self.page.bridge is not None and not self.page.running())
        self.run_here.setToolTip(
            f"Run '{step}' and the steps after it; the outputs of the steps before it come from this run"
            if step
            else "Select the step to start at"
        )

    def run_from_here(self) -> str | None:
        """A run starting at the selected step, the steps before it seeded with this run's outputs."""
        from engine.io import WorkflowError
        from engine.runtime.debug import Debug, seed_from_steps
        from engine.runtime.plan import compile_plan

        page, step, record = self.page, self.selected_step(), self.record
        if step is None or record is None or page.bridge is None or page.running():
            return None
        workflow = page.document.workflow.snapshot()
        outputs = {s.step: s.output for s in record.steps if s.status == "succeeded"}
        try:
            seed = seed_from_steps(compile_plan(workflow, check=False), step, outputs)
            run_id = page.bridge.run(workflow, source="editor", debug=Debug(start=step, seed=seed))
        except WorkflowError as exc:
            page._refuse(exc.problems)
            return None
        except Exception as exc:  # an engine that takes no debug runs (a broker's): one line, not a traceback
            from engine.errors import SHORT, one_line

            page.view.show_hint(one_line(f"Not run: {exc}", SHORT))
            return None
        self.leave(quiet=True)
        page.run_id = run_id  # from here on it is the editor's run, shown as Run shows one (gui.editor.runs)
        page.run_status.watch(run_id)
        page.run_panel.watch(run_id)
        page.view.show_hint(f"Running from '{step}' with the data of run {record.run_id[:6]}…")
        page._update_run_actions()
        return run_id
