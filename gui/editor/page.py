"""The editor page: palette on the left, canvas (and YAML tab) in the middle, inspector right, runs below.

It is a QMainWindow of its own inside the app's window, so its panels can be docked, moved and remembered.
"""

from __future__ import annotations

import weakref
from typing import Any

from PySide6.QtCore import QByteArray, QPointF, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QTabWidget, QWidget

from engine.model.workflow import Workflow
from engine.registry import Registry, default_registry
from gui.canvas import RunStatus, WorkflowScene, WorkflowView
from gui.document import WorkflowDocument
from gui.document.commands import apply_fix
from gui.editor import menus, parts
from gui.editor.actions import make_actions
from gui.editor.debugging import Debugging
from gui.editor.files import FileHandling
from gui.editor.problems import ProblemsList
from gui.editor.runs import Running
from gui.editor.yamlview import YamlView
from gui.palette import BlockPalette


class EditorPage(FileHandling, Running, Debugging, QMainWindow):
    titleChanged = Signal(str)
    documentChanged = Signal(object)  # the new WorkflowDocument (New / Open)

    def __init__(self, bridge: Any = None, registry: Registry | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editorPage")
        self.setWindowFlags(Qt.WindowType.Widget)
        self.registry = registry if registry is not None else default_registry()
        self.bridge = bridge
        self.document = WorkflowDocument(registry=self.registry, parent=self)
        self.scene = WorkflowScene(self.document, self)
        self.view = WorkflowView(self.scene)
        self.run_status = RunStatus(self.scene, self)
        self.palette = BlockPalette(self.registry)
        self.inspector = parts.make_inspector(self.document)
        self.run_panel = parts.make_run_panel(bridge)
        self.problems = ProblemsList()
        self.yaml_view = YamlView()
        self.tabs = QTabWidget()
        self._build()
        self.actions_: dict[str, QAction] = make_actions(self)
        self._zoom_bar()
        self._connect()
        self.init_files()
        self.init_debugging()
        self.init_running()
        self._past_runs()
        self.set_document(self.document)

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.tabs.setDocumentMode(True)
        self.tabs.setTabPosition(QTabWidget.TabPosition.South)
        self.tabs.addTab(self.view, "Canvas")
        self.tabs.addTab(self.yaml_view, "YAML")
        self.setCentralWidget(self.tabs)
        self.setDockNestingEnabled(True)
        self.palette_dock = self._dock("Blocks", "paletteDock", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock(
            "Inspector", "inspectorDock", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.run_dock = self._dock("Run", "runDock", self.run_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.problems_dock = self._dock(
            "Problems", "problemsDock", self.problems, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.run_dock, self.problems_dock)
        self.run_dock.raise_()
        self.resizeDocks([self.palette_dock, self.inspector_dock], [230, 320], Qt.Orientation.Horizontal)
        self.resizeDocks([self.run_dock], [170], Qt.Orientation.Vertical)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _zoom_bar(self) -> None:
        """The zoom control at the right end of the editor's toolbar (a status bar would take canvas height)."""
        from PySide6.QtWidgets import QSizePolicy, QToolBar

        from gui.editor.zoombar import ZoomBar

        bar = self.findChild(QToolBar, "editorToolbar")
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.zoom_bar = ZoomBar(self.view, self.actions_)
        bar.addWidget(self.zoom_bar)

    def _connect(self) -> None:
        page = weakref.ref(self)  # the view keeps the builder; a strong reference would be a cycle through it
        self.view.menu_builder = lambda kind, key, at: menus.build(page(), kind, key, at)  # type: ignore[arg-type]
        self.palette.blockActivated.connect(self.add_from_palette)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.problems.stepActivated.connect(self.select_step)
        self.problems.fixRequested.connect(lambda fix: apply_fix(self.document, fix))
        if hasattr(self.run_panel, "stepActivated"):
            self.run_panel.stepActivated.connect(self.select_step)

    def _past_runs(self) -> None:
        """Template previews from the last run, and the run view of a past run (gui.editor.pastrun)."""
        from gui.editor.pastrun import RunView
        from gui.inspector.preview import Previewer

        self.previewer = Previewer()
        self.inspector.set_previewer(self.previewer)
        self.run_view = RunView(self)
        self.documentChanged.connect(lambda _doc: self.run_view.refresh_previews())
        self.run_status.finished.connect(lambda _run: self.run_view.refresh_previews(flush=True))

    def open_run(self, record: Any) -> str | None:
        """Show a past run (a history RunRecord) in the editor; returns why it cannot be (one line), or None."""
        return self.run_view.open(record)

    # -- the document ----------------------------------------------------------------------------
    def set_document(self, document: WorkflowDocument) -> None:
        """Show ``document`` in every view (New and Open make a fresh one)."""
        old = self.document
        self.document = document
        if document.parent() is None:
            document.setParent(self)
        self.scene.set_document(document)
        self.yaml_view.set_document(document)
        self.inspector.set_document(document)
        self.run_panel.set_document(document)
        self.inspector.show_step(None)
        document.problemsChanged.connect(self._show_problems)
        document.modifiedChanged.connect(self._update_title)
        document.pathChanged.connect(self._update_title)
        document.undo_stack.canUndoChanged.connect(self.actions_["undo"].setEnabled)
        document.undo_stack.canRedoChanged.connect(self.actions_["redo"].setEnabled)
        document.undo_stack.undoTextChanged.connect(self._undo_text)
        document.undo_stack.redoTextChanged.connect(self._redo_text)
        self.actions_["undo"].setEnabled(document.undo_stack.canUndo())
        self.actions_["redo"].setEnabled(document.undo_stack.canRedo())
        self._show_problems()
        self._update_title()
        self.view.zoom_fit()
        if old is not document and old.parent() is self:
            old.deleteLater()
        self.documentChanged.emit(document)

    def new_document(self, workflow: Workflow | None = None) -> WorkflowDocument:
        return WorkflowDocument(workflow, registry=self.registry)

    def title(self) -> str:
        path = self.document.path
        return path.name if path is not None else (self.document.workflow.name or "Untitled workflow")

    def _undo_text(self, text: str) -> None:
        self.actions_["undo"].setToolTip(f"Undo {text}".strip())

    def _redo_text(self, text: str) -> None:
        self.actions_["redo"].setToolTip(f"Redo {text}".strip())

    def _update_title(self, *_args: object) -> None:
        self.titleChanged.emit(self.title())

    def _show_problems(self) -> None:
        problems = self.document.problems()
        self.problems.show_problems(problems)
        errors = sum(p.is_error for p in problems)
        self.problems_dock.setWindowTitle(f"Problems ({errors})" if errors else "Problems")

    # -- selection -------------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        try:
            steps = self.scene.selected_steps()
        except RuntimeError:  # the scene is going away with the window
            return
        step = steps[0] if len(steps) == 1 else None
        self.inspector.show_step(step)
        self.run_panel.show_step(step)
        wf = self.document.workflow
        off = bool(steps) and all(wf.steps[s].disabled for s in steps if s in wf.steps)
        self.actions_["disable"].setText("&Enable" if off else "&Disable")  # says what Ctrl+E will do

    def select_step(self, step_id: str) -> None:
        if step_id in self.scene.nodes:
            self.tabs.setCurrentWidget(self.view)
            self.scene.select_steps([step_id])
            self.view.centerOn(self.scene.nodes[step_id])

    # -- edit commands ---------------------------------------------------------------------------
    def copy(self) -> bool:
        text = self._selection_yaml()
        if text is None:
            return False
        QGuiApplication.clipboard().setText(text)
        return True

    def _selection_yaml(self) -> str | None:
        """The selected steps, notes and groups as clipboard text (a selected group brings its steps), or None."""
        notes, groups = self.scene.selected_notes(), self.scene.selected_groups()
        wf = self.document.workflow
        ids = list(dict.fromkeys(self.scene.selected_steps() + [s for g in groups for s in wf.groups[g].steps]))
        if not ids and not notes:
            return None
        return self.document.copy_yaml(ids, notes, groups)

    def cut(self) -> None:
        if self.copy():
            for group in self.scene.selected_groups():  # what was copied goes: a group's steps too
                for sid in self.document.workflow.groups[group].steps:
                    self.scene.nodes[sid].setSelected(True)
            self.scene.delete_selection()

    def paste(self, at: QPointF | None = None) -> None:
        """Paste the clipboard's steps (at scene point ``at``, from the canvas menu, or beside their old place)."""
        text = QGuiApplication.clipboard().text()
        try:
            self._paste(text, (at.x(), at.y()) if at is not None else None)
        except ValueError as exc:
            self.view.show_hint(str(exc))

    def duplicate(self) -> None:
        text = self._selection_yaml()
        if text is not None:
            self._paste(text, None)

    def _paste(self, text: str, at: tuple[float, float] | None) -> None:
        """Paste ``text`` and select what it added: its steps, notes and groups (Ctrl+D again copies them all)."""
        wf = self.document.workflow
        notes, groups = set(wf.notes), set(wf.groups)
        self.scene.select_steps(self.document.paste_yaml(text, at))
        for name in set(wf.notes) - notes:
            self.scene.notes[name].setSelected(True)
        for name in set(wf.groups) - groups:
            self.scene.groups[name].setSelected(True)

    def delete(self) -> None:
        self.scene.delete_selection()

    def select_all(self) -> None:
        """Every step, note and group: Ctrl+A, Ctrl+C copies the whole canvas."""
        for item in [*self.scene.nodes.values(), *self.scene.notes.values(), *self.scene.groups.values()]:
            item.setSelected(True)

    # -- canvas comforts ---------------------------------------------------------------------------
    def add_from_palette(self, block: str) -> None:
        """Double-click or Enter on a block: with one step selected, the new step comes after it, wired in."""
        from gui.canvas import navigate

        selected = self.scene.selected_steps()
        if len(selected) != 1:
            self.view.add_block(block)
            return
        source = selected[0]
        sid = self.document.add_step_after(
            block, navigate.spot_after(self.scene, source), source, navigate.free_port(self.scene, source)
        )
        self.scene.select_steps([sid])
        self.view.ensureVisible(self.scene.nodes[sid], 40, 40)

    def pick_block_at(self, at: QPointF, wire: tuple[str, str, str] | None = None) -> None:
        """The block picker at ``at``: the block chosen is added there (in the middle of ``wire`` if given)."""
        from gui.canvas import style
        from gui.canvas.dialogs import BlockPicker

        picker = BlockPicker(self.registry)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view.picker = picker
        page = weakref.ref(self)

        def picked(block: str) -> None:
            me = page()
            if me is None:
                return
            x, y = style.snap(at.x() - style.NODE_W / 2), style.snap(at.y() - style.HEADER_H / 2)
            if wire is not None:
                sid = me.document.insert_on_wire(block, (x, y), wire)
            else:
                sid = me.document.add_step(block, (x, y))
            me.scene.select_steps([sid])

        picker.picked.connect(picked)
        picker.show_at(self.view.viewport().mapToGlobal(self.view.mapFromScene(at)))

    def add_note(self, at: QPointF | None) -> str:
        """A new note at ``at`` (default: the middle of the view), opened for its text."""
        if at is None:
            at = self.view.mapToScene(self.view.viewport().rect().center())
        name = self.document.add_note((at.x(), at.y()))
        self.scene.clearSelection()
        self.scene.notes[name].setSelected(True)
        self.scene.edit_note(name)
        return name

    def group_selected(self) -> None:
        ids = self.scene.selected_steps()
        if not ids:
            self.view.show_hint("Select the steps to group first")
            return
        name = self.document.add_group(ids)
        self.scene.clearSelection()
        self.scene.groups[name].setSelected(True)
        self.view.show_hint(f"Grouped as '{name}': double-click its name to rename it")

    def ungroup_steps(self, ids: list[str]) -> None:
        """Take ``ids`` out of their groups; a group left empty goes away."""
        doc = self.document
        touched = {doc.group_of(sid) for sid in ids} - {None}
        if not touched:
            return
        doc.undo_stack.beginMacro("Ungroup")
        for name in touched:
            rest = [sid for sid in doc.workflow.groups[name].steps if sid not in ids]
            colour = doc.workflow.groups[name].colour
            doc.remove_groups([name])
            if rest:
                doc.add_group(rest, name, colour)
        doc.undo_stack.endMacro()

    def show_shortcuts(self) -> Any:
        from gui.editor import shortcuts

        self.shortcuts_dialog = shortcuts.show(self.actions_, self)
        return self.shortcuts_dialog

    def rename_selected(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        ids = self.scene.selected_steps()
        if len(ids) != 1:
            return
        new, ok = QInputDialog.getText(self, "Rename step", "New id (letters, digits and _):", text=ids[0])
        if not ok or new == ids[0]:
            return
        problem = self.document.rename_problem(ids[0], new)
        if problem:
            QMessageBox.warning(self, "Rename step", f"Cannot rename '{ids[0]}' to '{new}': {problem}.")
            return
        self.document.rename_step(ids[0], new)
        self.scene.select_steps([new])

    # -- layout memory ---------------------------------------------------------------------------
    def layout_state(self) -> QByteArray:
        return self.saveState()

    def restore_layout(self, state: QByteArray | None) -> None:
        if state:
            self.restoreState(state)
