"""The main window: a bar of pages on the left (the editor first; the shell adds Workflows and History),
menus and the remembered geometry. The editor itself lives in gui/editor/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QHideEvent, QIcon, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.canvas import style

if TYPE_CHECKING:
    from gui.editor import EditorPage

MENU_ORDER = ("File", "Edit", "View", "Run", "Help")


class MainWindow(QMainWindow):
    runRequested = Signal(str)  # the editor started a run (its id)

    def __init__(
        self, engine: Any = None, bridge: Any = None, parent: QWidget | None = None, *, editor_later: bool = False
    ) -> None:
        """With ``editor_later`` the editor page (canvas, palette, inspector, run panel: most of the window's start-up
        time and memory) is made on first use of ``editor``; the app asks for it right after the first paint."""
        super().__init__(parent)
        self.setObjectName("flowdeckMainWindow")
        self.engine = engine
        self._default_size()
        self._menus: dict[str, QMenu] = {}
        self._pages: dict[QWidget, QToolButton] = {}
        self._layout_to_restore: object = None
        self.stack = QStackedWidget()
        self.mode_bar = QWidget()
        self.mode_bar.setObjectName("modeBar")
        self._mode_layout = QVBoxLayout(self.mode_bar)
        self._mode_layout.setContentsMargins(4, 8, 4, 8)
        self._mode_layout.setSpacing(4)
        self._mode_layout.addStretch(1)
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.mode_bar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._bridge = bridge
        self._editor: EditorPage | None = None
        self._editor_slot = QWidget()  # the Editor page; the editor goes in it when it is made
        self._editor_slot.setObjectName("editorSlot")
        QVBoxLayout(self._editor_slot).setContentsMargins(0, 0, 0, 0)
        self.add_page("Editor", self._editor_slot)
        self._restore()
        self._update_title()
        if not editor_later:
            self._make_editor()

    @property
    def editor(self) -> EditorPage:
        """The editor page, made now if it was not yet."""
        if self._editor is None:
            self._make_editor()
        assert self._editor is not None
        return self._editor

    @property
    def editor_made(self) -> bool:
        return self._editor is not None

    def _make_editor(self) -> None:
        from gui.editor import EditorPage

        editor = EditorPage(self._bridge, parent=self._editor_slot)
        self._editor = editor
        self._editor_slot.layout().addWidget(editor)
        editor.titleChanged.connect(self._update_title)
        editor.documentChanged.connect(self._document_changed)
        self._build_menus()
        self._update_title()
        self._document_changed(editor.document)
        if self.isVisible() and self._layout_to_restore is not None:
            editor.restore_layout(self._layout_to_restore)
            self._layout_to_restore = None
        QTimer.singleShot(0, self._offer_recovery)

    # -- the shell's interface -------------------------------------------------------------------
    def set_engine(self, engine: Any, bridge: Any) -> None:
        self.engine = engine
        self._bridge = bridge
        if self._editor is not None:
            self._editor.set_bridge(bridge)

    @property
    def bridge(self) -> Any:
        return self._editor.bridge if self._editor is not None else self._bridge

    def add_page(self, title: str, widget: QWidget, icon: QIcon | None = None, index: int | None = None) -> None:
        """Add a page with a button in the bar on the left (at ``index``, default last)."""
        count = self.stack.count()
        index = count if index is None or index > count or index < 0 else index
        self.stack.insertWidget(index, widget)
        button = QToolButton()
        button.setObjectName(f"page_{title}")
        action = QAction(icon or _page_icon(title), title, self)
        action.setProperty("drawnIcon", icon is None)  # drawn in the text colour: redrawn when the theme changes
        action.setCheckable(True)
        action.triggered.connect(lambda _c=False, w=widget: self.show_page(w))
        self._group.addAction(action)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        button.setIconSize(QSize(24, 24))
        button.setAutoRaise(True)
        button.setMinimumWidth(72)
        self._mode_layout.insertWidget(index, button)
        self._pages[widget] = button
        if self.stack.currentWidget() is widget or count == 0:
            self._select(widget)

    def show_page(self, widget: QWidget) -> None:
        if widget is self._editor:
            widget = self._editor_slot
        elif widget is self._editor_slot and self._editor is None:
            self._make_editor()  # the Editor page was chosen before the app had made it
        self._select(widget)

    def _select(self, widget: QWidget) -> None:
        if widget not in self._pages:
            return
        self.stack.setCurrentWidget(widget)
        self._pages[widget].defaultAction().setChecked(True)

    def pages(self) -> list[QWidget]:
        """The pages in the order of their buttons (the editor page as itself, made if need be)."""
        found = [self.stack.widget(i) for i in range(self.stack.count())]
        return [self.editor if page is self._editor_slot else page for page in found]

    def current_page(self) -> QWidget:
        page = self.stack.currentWidget()
        return self.editor if page is self._editor_slot else page

    def open_file(self, path: Any) -> bool:
        self.show_page(self.editor)
        return self.editor.open_file(path)

    def new_workflow(self) -> bool:
        self.show_page(self.editor)
        return self.editor.new_workflow()

    @property
    def current_path(self) -> Any:
        return self.editor.document.path

    @property
    def document(self) -> Any:
        return self.editor.document

    def menu(self, name: str) -> QMenu:
        """The menu called ``name``, made on first use (File, Edit, View, Run, Help keep that order)."""
        if name in self._menus:
            return self._menus[name]
        menu = QMenu(f"&{name}", self)
        menu.setObjectName(f"menu{name}")
        before = self._menu_after(name)
        if before is not None:
            self.menuBar().insertMenu(before.menuAction(), menu)
        else:
            self.menuBar().addMenu(menu)
        self._menus[name] = menu
        return menu

    def _menu_after(self, name: str) -> QMenu | None:
        """The existing menu a new menu ``name`` goes in front of."""
        if name not in MENU_ORDER:
            return self._menus.get("Help")
        later = MENU_ORDER[MENU_ORDER.index(name) + 1 :]
        return next((self._menus[n] for n in later if n in self._menus), None)

    # -- menus -----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        a = self.editor.actions_
        file = self.menu("File")
        first = file.actions()[0] if file.actions() else None  # the app's own items (Settings, Quit) stay last
        for name in ("new", "open"):
            file.insertAction(first, a[name])
        self.recent_menu = QMenu("Open &Recent", file)
        file.insertMenu(first, self.recent_menu)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file.insertAction(first, a["save"])
        file.insertAction(first, a["save_as"])
        file.insertAction(first, a["versions"])
        if first is not None:
            file.insertSeparator(first)
        edit = self.menu("Edit")
        for name in ("undo", "redo", None, "cut", "copy", "paste", "duplicate", "delete", None, "select_all", "rename"):
            edit.addSeparator() if name is None else edit.addAction(a[name])
        for name in (None, "disable", "connect", "add_note", "group", "ungroup"):  # the canvas (docs/editor.md)
            edit.addSeparator() if name is None else edit.addAction(a[name])
        self.menu("Help").addAction(a["shortcuts"])
        view = self.menu("View")
        for name in ("zoom_in", "zoom_out", "zoom_fit", "zoom_100", "minimap", None, "tidy", "snap"):
            view.addSeparator() if name is None else view.addAction(a[name])
        view.addSeparator()
        panels = view.addMenu("&Panels")
        for dock in (
            self.editor.palette_dock,
            self.editor.inspector_dock,
            self.editor.run_dock,
            self.editor.problems_dock,
            self.editor.variables_dock,
        ):
            panels.addAction(dock.toggleViewAction())
        run = self.menu("Run")
        run.addAction(a["run"])
        run.addAction(a["stop"])
        run.addSeparator()  # debugging (docs/debugging.md)
        for name in ("continue", "step_over", "run_step", "run_from", "breakpoint", "pin", "unpin"):
            run.addAction(a[name])
        a["run"].triggered.connect(self._run_started)

    def _run_started(self) -> None:
        if self.editor.run_id:
            self.runRequested.emit(self.editor.run_id)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.editor.recent_files()
        for path in files:
            self.recent_menu.addAction(path, lambda p=path: self.open_file(p))
        if not files:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    # -- title, geometry, closing ------------------------------------------------------------------
    def _document_changed(self, document: Any) -> None:
        document.modifiedChanged.connect(self.setWindowModified)
        self.setWindowModified(document.is_modified())
        self._update_title()

    def _update_title(self, *_args: object) -> None:
        if self._editor is None:
            self.setWindowTitle("Flowdeck")
            return
        self.setWindowTitle(f"Flowdeck — {self._editor.title()}[*]")

    def _default_size(self) -> None:
        """Most of the screen, but never all of it (a panel or the tray may sit at an edge)."""
        from PySide6.QtGui import QGuiApplication

        screen = QGuiApplication.primaryScreen()
        free = screen.availableGeometry() if screen is not None else None
        if free is None or free.width() < 200:
            self.resize(1100, 720)
            return
        self.resize(min(1280, int(free.width() * 0.85)), min(800, int(free.height() * 0.85)))

    def _restore(self) -> None:
        from gui.shell.settings import qsettings

        store = qsettings()
        geometry = store.value("editor/geometry")
        if geometry:
            self.restoreGeometry(geometry)
        self._layout_to_restore = store.value("editor/layout")

    def changeEvent(self, event: QEvent) -> None:
        """A new theme (palette): redraw the page icons in its text colour, or they stay dark on dark."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for button in self._pages.values():
                action = button.defaultAction()
                if action.property("drawnIcon"):
                    action.setIcon(_page_icon(action.text()))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._layout_to_restore is not None and self._editor is not None:  # docks are restored once shown
            self._editor.restore_layout(self._layout_to_restore)  # (Qt lays tabbed docks out then)
            self._layout_to_restore = None

    def save_layout(self) -> None:
        from gui.shell.settings import qsettings

        store = qsettings()
        store.setValue("editor/geometry", self.saveGeometry())
        if self._editor is not None:  # an editor not made yet keeps the layout it was given
            store.setValue("editor/layout", self._editor.layout_state())

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask before unsaved work is lost; remember where the window and its panels were."""
        editor = self._editor
        if editor is not None and not editor.maybe_save():
            event.ignore()
            return
        self.save_layout()
        if editor is not None:
            editor.autosave_timer.stop()
            editor.recovery.discard()
        event.accept()

    def hideEvent(self, event: QHideEvent) -> None:
        """Closing to the tray hides the window: remember its place then too."""
        self.save_layout()
        super().hideEvent(event)

    def _offer_recovery(self) -> None:
        if self.editor.leftovers():
            self.show_page(self.editor)
            self.editor.offer_recovery()


def _page_icon(title: str) -> QIcon:
    from PySide6.QtGui import QGuiApplication, QPalette

    names = {"Workflows": "folder", "History": "clock", "Editor": "workflow"}
    text = QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    return QIcon(style.icon_pixmap(names.get(title, "block"), 48, text))
