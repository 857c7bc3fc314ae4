"""The editor's commands as QActions with the usual shortcuts; the window puts them in menus and the toolbar."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QUndoStack
from PySide6.QtWidgets import QStyle, QToolBar

if TYPE_CHECKING:
    from gui.editor.page import EditorPage

Key = QKeySequence.StandardKey
SP = QStyle.StandardPixmap

# name: (text, shortcuts, theme icon, fallback icon, tip)
SPEC: dict[str, tuple[str, list, str, SP | None, str]] = {
    "new": ("&New", [Key.New], "document-new", SP.SP_FileIcon, "Start a new workflow"),
    "open": ("&Open…", [Key.Open], "document-open", SP.SP_DialogOpenButton, "Open a workflow file"),
    "save": ("&Save", [Key.Save], "document-save", SP.SP_DialogSaveButton, "Save the workflow"),
    "save_as": ("Save &As…", ["Ctrl+Shift+S", Key.SaveAs], "document-save-as", None, "Save under a new name"),
    "versions": ("&Version History…", [], "document-open-recent", None, "Earlier versions: compare, restore"),
    "undo": ("&Undo", [Key.Undo], "edit-undo", SP.SP_ArrowBack, "Undo"),
    "redo": ("&Redo", [Key.Redo, "Ctrl+Y"], "edit-redo", SP.SP_ArrowForward, "Redo"),
    "cut": ("Cu&t", [Key.Cut], "edit-cut", None, "Cut the selected steps"),
    "copy": ("&Copy", [Key.Copy], "edit-copy", None, "Copy the selected steps (as YAML)"),
    "paste": ("&Paste", [Key.Paste], "edit-paste", None, "Paste steps"),
    "duplicate": ("D&uplicate", ["Ctrl+D"], "edit-copy", None, "Duplicate the selected steps"),
    "delete": ("&Delete", [Key.Delete, "Backspace"], "edit-delete", SP.SP_TrashIcon, "Delete the selection"),
    "select_all": ("Select &All", [Key.SelectAll], "edit-select-all", None, "Select every step"),
    "rename": ("Re&name Step…", ["F2"], "", None, "Give the selected step a new id"),
    "zoom_in": ("Zoom &In", [Key.ZoomIn, "Ctrl+="], "zoom-in", None, "Zoom in"),
    "zoom_out": ("Zoom &Out", [Key.ZoomOut], "zoom-out", None, "Zoom out"),
    "zoom_fit": ("Zoom to &Fit", ["Ctrl+0"], "zoom-fit-best", None, "Show the whole workflow"),
    "tidy": ("&Tidy Up", ["Ctrl+Shift+L"], "format-justify-left", None, "Arrange the steps in columns"),
    "snap": ("Snap to &Grid", [], "", None, "Moved steps snap to the grid"),
    "zoom_100": ("&Actual Size (100 %)", ["Ctrl+1"], "zoom-original", None, "Zoom to 100 %"),
    "minimap": ("&Minimap", ["Ctrl+M"], "", None, "Show a small map of the whole workflow"),
    "add_note": ("Add &Note", ["Ctrl+Shift+N"], "", None, "Add a sticky note (Markdown) in the middle of the canvas"),
    "group": ("&Group Steps", ["Ctrl+G"], "", None, "Put the selected steps in a named, coloured frame"),
    "ungroup": ("U&ngroup", ["Ctrl+Shift+G"], "", None, "Take the selected steps out of their group"),
    "disable": ("&Disable", ["Ctrl+E"], "", None, "Disable or enable the selected steps (a run passes over them)"),
    "select_left": ("Select Step to the Left", ["Left"], "", None, "Select the nearest step to the left"),
    "select_right": ("Select Step to the Right", ["Right"], "", None, "Select the nearest step to the right"),
    "select_up": ("Select Step Above", ["Up"], "", None, "Select the nearest step above"),
    "select_down": ("Select Step Below", ["Down"], "", None, "Select the nearest step below"),
    "nudge_left": ("Move Left", ["Shift+Left"], "", None, "Move the selected steps left by a grid step"),
    "fine_left": ("Move Left by 1 px", ["Alt+Left"], "", None, "Move the selected steps left by one pixel"),
    "nudge_right": ("Move Right", ["Shift+Right"], "", None, "Move the selected steps right by a grid step"),
    "fine_right": ("Move Right by 1 px", ["Alt+Right"], "", None, "Move the selected steps right by one pixel"),
    "nudge_up": ("Move Up", ["Shift+Up"], "", None, "Move the selected steps up by a grid step"),
    "fine_up": ("Move Up by 1 px", ["Alt+Up"], "", None, "Move the selected steps up by one pixel"),
    "nudge_down": ("Move Down", ["Shift+Down"], "", None, "Move the selected steps down by a grid step"),
    "fine_down": ("Move Down by 1 px", ["Alt+Down"], "", None, "Move the selected steps down by one pixel"),
    "next_step": ("Next Step", ["Tab"], "", None, "Select the next step in the file's order"),
    "prev_step": ("Previous Step", ["Shift+Tab", "Backtab"], "", None, "Select the previous step"),
    "connect": ("&Connect Steps", ["Ctrl+L"], "", None, "Wire the selected step to the one selected next"),
    "shortcuts": ("&Keyboard Shortcuts", ["Ctrl+/"], "", None, "Every shortcut of the editor, searchable"),
    "run": ("&Run", ["F5", "Ctrl+R"], "media-playback-start", SP.SP_MediaPlay, "Run this workflow now (F5)"),
    "stop": ("&Stop", ["Shift+F5"], "media-playback-stop", SP.SP_MediaStop, "Stop the run (Shift+F5)"),
    # debugging (gui/editor/debugging.py): F5 moves from Run to Continue while a run is paused
    "continue": ("&Continue", [], "media-seek-forward", SP.SP_MediaSeekForward, "Continue the paused run (F5)"),
    "step_over": ("S&tep", ["F10"], "media-skip-forward", SP.SP_MediaSkipForward, "Run one step, then pause (F10)"),
    "run_step": ("Run T&his Step", [], "", None, "Run the selected step alone, earlier outputs from the last run"),
    "run_from": ("Run &From Here", [], "", None, "Run from the selected step, earlier outputs from the last run"),
    "breakpoint": ("Toggle &Breakpoint", ["F9"], "", None, "Pause runs from the editor before the selected step"),
    "pin": ("&Pin Output", [], "", None, "Use the selected step's output in the last run instead of running it"),
    "unpin": ("&Unpin", [], "", None, "Run the selected step again instead of using its pinned output"),
}


# Their keys act only while the canvas has the focus (Delete in an inspector field must not delete steps).
CANVAS_ONLY = (
    "cut",
    "copy",
    "paste",
    "duplicate",
    "delete",
    "select_all",
    "rename",
    "group",
    "ungroup",
    "disable",
    *(f"{verb}_{d}" for verb in ("select", "nudge", "fine") for d in ("left", "right", "up", "down")),
    "next_step",
    "prev_step",
    "connect",
)
NUDGE = (20.0, 1.0)  # Shift+arrow moves a grid step, Alt+arrow one pixel


def _handlers(page: EditorPage) -> dict[str, Callable[[], object]]:
    return {
        "new": page.new_workflow,
        "open": page.open_dialog,
        "save": page.save,
        "save_as": page.save_as,
        "versions": lambda: _versions(page),
        "undo": lambda: page.document.undo_stack.undo(),
        "redo": lambda: page.document.undo_stack.redo(),
        "cut": page.cut,
        "copy": page.copy,
        "paste": page.paste,
        "duplicate": page.duplicate,
        "delete": page.delete,
        "select_all": page.select_all,
        "rename": page.rename_selected,
        "zoom_in": page.view.zoom_in,
        "zoom_out": page.view.zoom_out,
        "zoom_fit": page.view.zoom_fit,
        "tidy": page.scene.tidy_up,
        "zoom_100": lambda: page.view.set_zoom(1.0),
        "add_note": lambda: page.add_note(None),
        "group": page.group_selected,
        "ungroup": lambda: page.ungroup_steps(page.scene.selected_steps()),
        "disable": lambda: page.document.toggle_disabled(page.scene.selected_steps()),
        **{f"select_{d}": (lambda d=d: page.view.select_towards(d)) for d in ("left", "right", "up", "down")},
        "next_step": lambda: page.view.walk_steps(),
        "prev_step": lambda: page.view.walk_steps(backwards=True),
        "connect": lambda: page.view.connect_selected(),
        "shortcuts": page.show_shortcuts,
        "run": page.run_or_continue,
        "stop": page.stop,
        "continue": lambda: page.debug_command("continue"),
        "step_over": lambda: page.debug_command("step"),
        "run_step": lambda: _on_selected(page, page.run_step),
        "run_from": lambda: _on_selected(page, page.run_from),
        "breakpoint": page.toggle_breakpoint,
        "pin": lambda: _on_selected(page, page.pin_last_output),
        "unpin": lambda: _on_selected(page, page.unpin_step),
    }


def _on_selected(page: EditorPage, fn: Callable[[str], object]) -> object:
    """``fn`` of the one selected step, or a hint saying to select one."""
    steps = page.scene.selected_steps()
    if len(steps) != 1:
        page.view.show_hint("Select one step first")
        return None
    return fn(steps[0])


def _versions(page: EditorPage) -> object:
    from gui.editor.versions import open_versions  # the dialog and the versions database load on first use

    return open_versions(page)


def make_actions(page: EditorPage) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    handlers = _handlers(page)
    taken = _named_keys()
    for name, (text, keys, theme, fallback, tip) in SPEC.items():
        icon = QIcon.fromTheme(theme) if theme else QIcon()
        if icon.isNull() and fallback is not None:
            icon = page.style().standardIcon(fallback)
        action = QAction(icon, text, page)
        action.setObjectName(f"action_{name}")
        shortcuts = _unique_shortcuts(keys, taken)
        if shortcuts:
            action.setShortcuts(shortcuts)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if name in handlers:
            action.triggered.connect(lambda _checked=False, fn=handlers[name]: fn())
        actions[name] = action
        if name in CANVAS_ONLY:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            page.view.addAction(action)
        else:
            page.addAction(action)
    _nudges(page, actions)
    minimap = actions["minimap"]
    minimap.setCheckable(True)
    minimap.toggled.connect(page.view.minimap.setVisible)
    snap = actions["snap"]
    snap.setCheckable(True)
    snap.setChecked(page.scene.snapping)
    snap.toggled.connect(lambda on: setattr(page.scene, "snapping", on))
    page.addToolBar(_toolbar(page, actions))
    labels = _UndoLabels(actions, page)
    page.documentChanged.connect(lambda document: labels.follow(document.undo_stack))
    return actions


def _nudges(page: EditorPage, actions: dict[str, QAction]) -> None:
    """Shift+arrow nudges the selection by a grid step, Alt+arrow by one pixel."""
    for d in ("left", "right", "up", "down"):
        for verb, distance in zip(("nudge", "fine"), NUDGE, strict=True):
            actions[f"{verb}_{d}"].triggered.connect(lambda _c=False, d=d, n=distance: page.view.nudge(d, n))


class _UndoLabels(QObject):
    """Undo and Redo say what they would undo ("Undo Change message of log"), in the menu and the tooltip.

    A QObject of the page, so the stack's signals stop reaching it when the page goes."""

    def __init__(self, actions: dict[str, QAction], parent: QObject) -> None:
        super().__init__(parent)
        self.actions = actions

    def follow(self, stack: QUndoStack) -> None:
        stack.undoTextChanged.connect(self.undo_text)
        stack.redoTextChanged.connect(self.redo_text)
        self.undo_text(stack.undoText())
        self.redo_text(stack.redoText())

    def undo_text(self, text: str) -> None:
        self._show("undo", "Undo", text)

    def redo_text(self, text: str) -> None:
        self._show("redo", "Redo", text)

    def _show(self, name: str, verb: str, text: str) -> None:
        label = f"{verb} {text}".strip()
        self.actions[name].setText(f"&{label.replace('&', '&&')}")
        self.actions[name].setToolTip(label)


def _unique_shortcuts(keys: list, taken: frozenset[str] = frozenset()) -> list[QKeySequence]:
    """The standard keys of this platform plus our extras, each once: a key bound twice to one action (Save As is
    Ctrl+Shift+S on Linux already) makes Qt call it ambiguous and fire nothing. A standard key that another action
    names as its own (``taken``) is left to that one: on X11 desktops Delete is also Ctrl+D, which is Duplicate."""
    seen: dict[str, QKeySequence] = {}
    for key in keys:
        standard = isinstance(key, QKeySequence.StandardKey)
        expanded = QKeySequence.keyBindings(key) if standard else [QKeySequence(key)]
        for seq in expanded:
            if not seq.isEmpty() and not (standard and seq.toString() in taken):
                seen.setdefault(seq.toString(), seq)
    return list(seen.values())


def _named_keys() -> frozenset[str]:
    """Every key the SPEC names itself (not through a platform's standard keys)."""
    return frozenset(QKeySequence(k).toString() for _t, keys, *_ in SPEC.values() for k in keys if isinstance(k, str))


def _toolbar(page: EditorPage, actions: dict[str, QAction]) -> QToolBar:
    bar = QToolBar("Editor", page)
    bar.setObjectName("editorToolbar")
    bar.setMovable(False)
    groups = [["new", "open", "save"], ["undo", "redo"], ["delete"], ["zoom_fit", "tidy"]]
    groups.append(["run", "continue", "step_over", "stop"])
    for i, group in enumerate(groups):
        if i:
            bar.addSeparator()
        for name in group:
            bar.addAction(actions[name])
    return bar
