"""New, Open, Save, Save As, recent files, asking before unsaved work is lost, and autosave for crashes.

A mixin of EditorPage: everything goes through engine.io, so the GUI reads and writes exactly what the CLI does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.io import dumps, errors, read_file, read_text, save_workflow
from engine.model.workflow import Workflow
from engine.versions.store import keep_before_save, record_file
from gui.editor.recovery import Leftover, Recovery

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

    # -- asking (tests replace these) -------------------------------------------------------------
    def ask_open_path(self: EditorPage) -> str:
        return QFileDialog.getOpenFileName(self, "Open workflow", str(self._folder()), FILTER)[0]

    def ask_save_path(self: EditorPage) -> str:
        name = self.document.path.name if self.document.path else _file_name(self.document.workflow.name)
        path = QFileDialog.getSaveFileName(self, "Save workflow", str(self._folder() / name), FILTER)[0]
        if path and not Path(path).suffix:
            path += ".yaml"
        return path

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
        recent = self.recent_files()
        return Path(recent[0]).parent if recent else Path.home()

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
        return self._write(Path(path))

    def _write(self: EditorPage, path: Path) -> bool:
        keep_before_save(path)  # an outside edit (or a file never saved here) is kept as a version first
        try:
            save_workflow(self.document.workflow, path)
        except OSError as exc:
            QMessageBox.critical(self, "Not saved", f"{path} could not be written: {exc.strerror or exc}")
            return False
        if self.document.path != path.resolve():
            self.document.path = path.resolve()
        self.document.mark_saved()
        record_file(self.document.path, "app")  # every save keeps a version (File ▸ Version History…); never fails
        self.recovery.discard()
        self.add_recent(str(self.document.path))
        self._update_title()
        return True

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


def _file_name(name: str) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return f"{'-'.join(filter(None, stem.split('-'))) or 'workflow'}.yaml"
