"""New, Open, Save, Save As, recent files, asking before unsaved work is lost, and autosave for crashes.

A mixin of EditorPage: everything goes through engine.io, so the GUI reads and writes exactly what the CLI does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.io import dumps, errors, read_file, read_text, save_workflow
from engine.model.workflow import Workflow
from engine.versions.store import keep_before_save, record_file
from gui.editor.recovery import Leftover, Recovery
from gui.editor.watch import DIFF, RELOAD, FileWatch, ask_outside_change, show_difference

if TYPE_CHECKING:
    from gui.editor.page import EditorPage

AUTOSAVE_MS = 60_000
MAX_RECENT = 8
FILTER = "Flowdeck workflows (*.yaml *.yml);;All files (*)"
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


class FileHandling:
    def init_files(self: EditorPage) -> None:
        self.recovery = Recovery()
        self.autosave_timer = QTimer(self, interval=AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self.recent_changed_callbacks: list = []
        self.file_watch = FileWatch(self)
        self.file_watch.changed.connect(self._changed_outside)
        self._asking_outside = False
        self.documentChanged.connect(self._document_shown)

    def _document_shown(self: EditorPage, document: object) -> None:
        """A new document (New, Open, reload...): watch its file, and the run panel forgets the last one's run."""
        self.file_watch.watch(self.document.path)
        self.run_panel.clear()

    # -- asking (tests replace these) -------------------------------------------------------------
    def ask_open_path(self: EditorPage) -> str:
        return QFileDialog.getOpenFileName(self, "Open workflow", str(self._folder()), FILTER)[0]

    def ask_save_path(self: EditorPage) -> str:
        dialog = self.save_dialog()
        if not dialog.exec() or not dialog.selectedFiles():
            return ""
        path = dialog.selectedFiles()[0]
        if path and not Path(path).suffix:
            path += ".yaml"
        return path

    def save_dialog(self: EditorPage) -> QFileDialog:
        """The Save dialog: a new workflow starts in the workspace (where the app runs it), which the sidebar also
        lists. Qt's own dialog, so the sidebar is the same on every desktop."""
        name = self.document.path.name if self.document.path else _file_name(self.document.workflow.name)
        dialog = QFileDialog(self, "Save workflow", str(self._folder() / name), FILTER)
        dialog.setObjectName("saveDialog")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("yaml")
        workspace = QUrl.fromLocalFile(str(self.workspace_folder()))
        dialog.setSidebarUrls([workspace, *[u for u in dialog.sidebarUrls() if u != workspace]])
        return dialog

    def ask_move_to_workspace(self: EditorPage, path: Path) -> bool:
        """A workflow with triggers saved outside the workspace never runs on them: say so, offer to move it."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Saved outside the workspace",
                          f"{path.name} has triggers, but it is saved outside the workspace, so they never fire.",
                          parent=self)  # fmt: skip
        box.setObjectName("outsideWorkspace")
        box.setInformativeText(f"The app runs the workflows in {self.workspace_folder()}. Move it there?")
        move = box.addButton("Move to the workspace", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep it here", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(move)
        box.exec()
        return box.clickedButton() is move

    def workspace_folder(self: EditorPage) -> Path:
        from gui.shell.settings import load_settings

        return load_settings().workspace_path

    def ask_unsaved(self: EditorPage) -> str:
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes", f"Save the changes to {self.title()}?",
                          parent=self)  # fmt: skip
        box.setInformativeText("Your changes are lost if you don't save them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: SAVE, QMessageBox.StandardButton.Discard: DISCARD}.get(
            QMessageBox.StandardButton(answer), CANCEL
        )

    def _folder(self: EditorPage) -> Path:
        if self.document.path is not None:
            return self.document.path.parent
        workspace = self.workspace_folder()
        try:
            workspace.mkdir(parents=True, exist_ok=True)  # the app makes it on its first start; the editor may be first
        except OSError:
            recent = self.recent_files()
            return Path(recent[0]).parent if recent else Path.home()
        return workspace

    # -- commands ---------------------------------------------------------------------------------
    def maybe_save(self: EditorPage) -> bool:
        """True when it is fine to drop the current document (saved, discarded, or never changed)."""
        if not self.document.is_modified():
            return True
        answer = self.ask_unsaved()
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    def new_workflow(self: EditorPage) -> bool:
        if not self.maybe_save():
            return False
        self.recovery.discard()
        self.set_document(self.new_document(Workflow()))
        return True

    def open_dialog(self: EditorPage) -> bool:
        path = self.ask_open_path()
        return bool(path) and self.open_file(path)

    def open_file(self: EditorPage, path: str | Path) -> bool:
        """Open a workflow file. Problems (with line numbers) go to the problems list; an unreadable file is
        explained and the current document stays."""
        if not self.maybe_save():
            return False
        wf, problems = read_file(path, self.registry, check=False)
        if wf is None:
            self.show_file_problems(Path(path), problems)
            return False
        document = self.new_document(wf)
        document.path = Path(path).resolve()
        document.load_problems = problems  # what reading found (YAML, shape); validation runs on the model
        self.recovery.discard()
        self.set_document(document)
        self.add_recent(str(document.path))
        if errors(document.problems()):
            self.problems_dock.show()
            self.problems_dock.raise_()
        return True

    def show_file_problems(self: EditorPage, path: Path, problems: list) -> None:
        """Say why ``path`` cannot be opened (file:line:col); the Problems panel stays that of the open document,
        whose count its title shows and whose steps its lines select."""
        QMessageBox.warning(
            self, "Cannot open", f"{path.name} could not be opened:\n\n" + "\n".join(map(str, problems))
        )

    def save(self: EditorPage) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._write(self.document.path)

    def save_as(self: EditorPage) -> bool:
        path = self.ask_save_path()
        if not path:
            return False
        if not self._write(Path(path)):
            return False
        self._offer_move(Path(path).resolve())
        return True

    def _offer_move(self: EditorPage, path: Path) -> None:
        """After saving to a place the person chose: triggers outside the workspace are offered a move into it."""
        workspace = self.workspace_folder().expanduser().resolve()
        if not self.document.workflow.triggers or path.is_relative_to(workspace):
            return
        if not self.ask_move_to_workspace(path):
            return
        target = _free_name(workspace / path.name)
        try:
            workspace.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            QMessageBox.critical(self, "Not moved", f"{workspace} could not be made: {exc.strerror or exc}")
            return
        if self._write(target):
            path.unlink(missing_ok=True)

    def _write(self: EditorPage, path: Path) -> bool:
        keep_before_save(path)  # an outside edit (or a file never saved here) is kept as a version first
        try:
            save_workflow(self.document.workflow, path)
        except OSError as exc:
            QMessageBox.critical(self, "Not saved", f"{path} could not be written: {exc.strerror or exc}")
            return False
        if self.document.path != path.resolve():
            self.pin_renames.clear()  # saved as another file: the pins beside the first stay with it
            self.document.path = path.resolve()
        self.keep_pins_under_new_ids()  # the saved steps' new ids: `flowdeck run --pins` finds their pins
        self.document.mark_saved()
        record_file(self.document.path, "app")  # every save keeps a version (File ▸ Version History…); never fails
        self.file_watch.watch(self.document.path)  # what is on disk now is ours
        self.recovery.discard()
        self.add_recent(str(self.document.path))
        self._update_title()
        return True

    # -- changes made outside the app ---------------------------------------------------------------
    def ask_outside_change(self: EditorPage) -> str:
        return ask_outside_change(self, self.title())

    def _changed_outside(self: EditorPage, text: str) -> None:
        """Another program changed the open file: reload it, or (with unsaved edits) ask first."""
        path = self.document.path
        if path is None or path != self.file_watch.path or self._asking_outside:
            return
        if not self.document.is_modified():
            self._reload(path, text)
            return
        self._asking_outside = True
        try:
            answer = self.ask_outside_change()
            while answer == DIFF:
                show_difference(self, dumps(self.document.workflow), text, path.name)
                answer = self.ask_outside_change()
        finally:
            self._asking_outside = False
        if answer == RELOAD:
            self._reload(path, text)
        else:
            self.file_watch.accept(text)  # keep mine: the next save replaces theirs, as the person chose
        self.file_watch._look()  # it may have changed again while the question was open

    def _reload(self: EditorPage, path: Path, text: str) -> None:
        wf, problems = read_text(text, str(path), self.registry, check=False)
        if wf is None:  # half written, or broken by hand: keep what the editor shows and say why
            self.file_watch.accept(text)
            first = str(problems[0]) if problems else "it cannot be read"
            self.view.show_hint(f"{path.name} changed on disk but was not reloaded: {first}")
            return
        document = self.new_document(wf)
        document.path = path
        document.load_problems = problems
        self.set_document(document)
        self.file_watch.watch(path, text)
        self.view.show_hint(f"Reloaded {path.name}: it was changed outside Flowdeck")

    # -- recent files -----------------------------------------------------------------------------
    def recent_files(self: EditorPage) -> list[str]:
        from gui.shell.settings import qsettings

        value = qsettings().value("editor/recent", [])
        files = [value] if isinstance(value, str) else list(value or [])
        return [f for f in files if f]

    def add_recent(self: EditorPage, path: str) -> None:
        from gui.shell.settings import qsettings

        files = [path, *[f for f in self.recent_files() if f != path]][:MAX_RECENT]
        qsettings().setValue("editor/recent", files)
        for callback in self.recent_changed_callbacks:
            callback()

    # -- autosave and recovery --------------------------------------------------------------------
    def autosave(self: EditorPage) -> bool:
        """Write unsaved work to this window's recovery file (never to the person's own file)."""
        if not self.document.is_modified():
            return False
        try:
            self.recovery.write(dumps(self.document.workflow), self.document.path)
        except OSError:
            return False
        return True

    def leftovers(self: EditorPage) -> list[Leftover]:
        return self.recovery.leftovers()

    def restore(self: EditorPage, leftover: Leftover) -> bool:
        """Open recovered work as a modified document (saving it writes to the original file, if any)."""
        text = leftover.text_file.read_text("utf-8")
        wf, _problems = read_text(
            text, str(leftover.original) if leftover.original else None, self.registry, check=False
        )
        if wf is None:
            return False
        document = self.new_document(Workflow())
        document.workflow = wf
        document.path = leftover.original
        self.set_document(document)
        self.document.undo_stack.resetClean()  # recovered work is unsaved work
        leftover.discard()
        return True

    def offer_recovery(self: EditorPage) -> int:
        """After a crash: ask, for each file left behind, whether to restore it. Returns how many were restored."""
        restored = 0
        for leftover in self.leftovers():
            answer = QMessageBox.question(
                self,
                "Restore unsaved work?",
                f"Flowdeck closed unexpectedly while {leftover.label()} had unsaved changes.\n\nRestore them?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer == QMessageBox.StandardButton.Yes and self.maybe_save() and self.restore(leftover):
                restored += 1
            else:
                leftover.discard()
        return restored


def _free_name(path: Path) -> Path:
    """``path``, or ``name-2.yaml``, ``name-3.yaml``... when a file of that name is already there."""
    n = 2
    found = path
    while found.exists():
        found = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return found


def _file_name(name: str) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return f"{'-'.join(filter(None, stem.split('-'))) or 'workflow'}.yaml"
