"""The editor's main window as the shell uses it: make it, add pages, open files, find menus.

The window belongs to the editor (gui/mainwindow.py); this module is the one place that knows its interface.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QTabWidget, QVBoxLayout, QWidget

from gui.shell.icons import app_icon, fit_toolbar_icons


def takes_engine_later() -> bool:
    """Whether the engine can be made after the window is shown (so start-up paints sooner): the editor's window
    either accepts it later (``set_engine``) or does not take one at all."""
    import inspect

    from gui.mainwindow import MainWindow

    return hasattr(MainWindow, "set_engine") or "engine" not in inspect.signature(MainWindow).parameters


def make_window(engine: Any = None, bridge: Any = None) -> QMainWindow:
    """The main window; its editor page is made after the window's first paint (see ``ensure_editor``), or on
    first use: made before it is shown, the window still waits for its paint (a made window is about to show)."""
    from gui.mainwindow import MainWindow

    try:
        window = MainWindow(engine=engine, bridge=bridge, editor_later=True)
    except TypeError:  # an editor window from before the page interface: pages go in tabs (see _Pages)
        window = MainWindow()
    window.setWindowIcon(app_icon())
    window.setProperty("madeSize", window.size())  # made smaller since (by the person): not grown later
    _ReadableIcons(window)
    _FirstPaint(window, lambda: _editor_when_idle(window))
    return window


def ensure_editor(window: QMainWindow) -> None:
    """Make the window's editor page now if it was left for later (its menus come with it)."""
    if getattr(window, "editor_made", True) is False:
        window.editor  # noqa: B018 (the property makes it)
        fit_toolbar_icons(window)  # its tool bar came with it
        QTimer.singleShot(0, window, lambda: fit_to_screen(window))  # once the new page is laid out in the window


ROOMY = (1000, 600)  # logical pixels of a window where the panels keep their usual sizes
SHORT_SCREEN = 520  # logical pixels of height under which the Run panel waits for the first run to show


def fit_to_screen(window: QMainWindow) -> None:
    """The first window on a small or scaled screen (200 %: a 1366×768 screen is 683×384): the window fits the
    screen, and the side panels take a share of it (not their usual pixels) so the canvas stays usable. A layout
    the person arranged (saved) is left as it is; the window is only kept on the screen."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget

    from gui.shell.settings import qsettings

    screen = window.screen()
    if screen is None:
        return
    free = screen.availableGeometry()
    editor = window.editor if getattr(window, "editor_made", False) else None
    store = qsettings()
    first = store.value("editor/layout") is None
    sized = store.value("editor/geometry") is not None  # the person's size, kept even if no layout was saved (a
    # window closed before its editor was made saves its size only)
    roomy = window.width() >= ROOMY[0] and window.height() >= ROOMY[1]  # the usual panel sizes leave room enough
    if editor is not None and first and roomy:  # the usual sizes (made before the page was laid out, they were lost)
        editor.resizeDocks([editor.palette_dock, editor.inspector_dock], [230, 320], Qt.Orientation.Horizontal)
    elif editor is not None and first:
        width, height = min(window.width(), free.width()), min(window.height(), free.height())
        if height < SHORT_SCREEN:
            for dock in editor.findChildren(QDockWidget):  # Run, Problems, Variables: each shows when it has news
                if editor.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea:
                    dock.hide()  # (gui/editor/runs.py, debugging.py); the canvas gets the height meanwhile
        else:
            editor.resizeDocks([editor.run_dock], [max(110, min(170, int(height * 0.25)))], Qt.Orientation.Vertical)
        sides = [max(140, min(230, int(width * 0.2))), max(180, min(320, int(width * 0.28)))]
        for dock, side in zip((editor.palette_dock, editor.inspector_dock), sides, strict=True):
            if dock.widget().minimumWidth() > side:  # its fields scroll rather than squeeze the canvas
                dock.widget().setMinimumWidth(side)
        editor.resizeDocks([editor.palette_dock, editor.inspector_dock], sides, Qt.Orientation.Horizontal)
    # a main window relayouts its docks on a later turn of the event loop: resize once the smaller minimum holds
    QTimer.singleShot(100, window, lambda: _keep_on_screen(window, first and not sized))


def _keep_on_screen(window: QMainWindow, first: bool, tries: int = 4) -> None:
    screen = window.screen()
    if screen is None:
        return
    free = screen.availableGeometry()
    from PySide6.QtWidgets import QApplication

    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)  # the minimum the new panel sizes allow
    frame = window.frameGeometry()
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    width, height = window.width(), window.height()
    made = window.property("madeSize")
    shrunk = made is not None and (width < made.width() or height < made.height())
    if first and not shrunk:  # the first window: most of the screen, as it means to be, now that its minimum allows
        share = 0.85 if free.width() >= 1000 else 1.0  # a small screen: all of it, the canvas needs every pixel
        width = max(width, min(1280, int(free.width() * share)))
        height = max(height, min(800, int(free.height() * share)))
    width, height = min(width, free.width() - extra_w), min(height, free.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    if not free.contains(window.frameGeometry()):
        window.move(free.topLeft())
    if (window.width() > width or window.height() > height) and tries > 0:
        # the minimum was still that of the panels before they were hidden (at 200 % it made the window 3 px taller
        # than the screen): once it has dropped, the same size again
        QTimer.singleShot(150, window, lambda: _keep_on_screen(window, False, tries - 1))


def _editor_when_idle(window: QMainWindow) -> None:
    """Make the editor, but not under a dialog the person is answering: building it would take the focus."""
    from PySide6.QtWidgets import QApplication

    if QApplication.activeModalWidget() is not None:
        QTimer.singleShot(200, window, lambda: _editor_when_idle(window))
        return
    ensure_editor(window)


class PageSlot(QWidget):
    """A page whose button is in the bar from the first paint, and whose content comes later (the history, once
    the service has started): the bar never reorders under the person's pointer. Until then it says ``waiting``."""

    def __init__(self, waiting: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page: QWidget | None = None
        self.note = QLabel(waiting)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)

    def fill(self, page: QWidget) -> None:
        """Show ``page`` in the slot, in place of the note (or of the page it had)."""
        if self.page is not None:
            self.layout().removeWidget(self.page)
            self.page.deleteLater()
        self.note.hide()
        self.page = page
        self.layout().addWidget(page)
        page.show()  # a child added to a shown page is otherwise shown only on a later turn of the event loop

    def say(self, text: str) -> None:
        """Why the page's content did not come (shown instead of the waiting note)."""
        self.note.setText(text)


def add_page(window: QMainWindow, title: str, widget: QWidget, index: int | None = None) -> None:
    if hasattr(window, "add_page"):
        window.add_page(title, widget, index=index)
    else:
        _Pages.of(window).insertTab(len(_Pages.of(window)) if index is None else index, widget, title)


def show_page(window: QMainWindow, widget: QWidget) -> None:
    if hasattr(window, "show_page"):
        window.show_page(widget)
    else:
        _Pages.of(window).setCurrentWidget(widget)


def open_file(window: QMainWindow, path: str) -> bool:
    return bool(window.open_file(path)) if hasattr(window, "open_file") else False


def menu(window: QMainWindow, name: str) -> QMenu:
    if hasattr(window, "menu"):
        return window.menu(name)
    found = window.menuBar().findChild(QMenu, f"menu{name}")
    if found is None:
        found = window.menuBar().addMenu(f"&{name}")
        found.setObjectName(f"menu{name}")
    return found


class _Pages(QTabWidget):
    """Pages as tabs, for an editor window that has no page interface of its own."""

    @staticmethod
    def of(window: QMainWindow) -> QTabWidget:
        central = window.centralWidget()
        if isinstance(central, _Pages):
            return central
        pages = _Pages()
        pages.setDocumentMode(True)
        if central is not None:
            pages.addTab(central, "Editor")
        window.setCentralWidget(pages)
        return pages


class _ReadableIcons(QObject):
    """Tool bar icons follow the theme: on every palette change they are made readable again."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        window.installEventFilter(self)
        fit_toolbar_icons(window)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            fit_toolbar_icons(watched)  # type: ignore[arg-type]
        elif event.type() == QEvent.Type.ChildAdded:  # a page made later (the editor) brings its tool bar
            QTimer.singleShot(0, self, lambda: fit_toolbar_icons(watched))  # type: ignore[arg-type]
        return False


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, fn: Callable[[], None]) -> None:
        super().__init__(widget)
        self.fn = fn
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.fn)  # after this paint has reached the screen
        return False


def after_first_paint(widget: QWidget, fn: Callable[[], None]) -> None:
    """Call ``fn`` once ``widget`` has painted (at once if it is not shown: nobody waits for a paint then)."""
    if widget.isVisible():
        _FirstPaint(widget, fn)
    else:
        QTimer.singleShot(0, fn)


def add_banner(window: QMainWindow, banner: QWidget) -> None:
    """Put ``banner`` across the top of the window, over every page (a banner hidden takes no room)."""
    pages = window.takeCentralWidget()
    box = QWidget()
    box.setObjectName("bannerAndPages")
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    holder = QWidget()  # the banner's margins, so it does not touch the window's edges
    around = QVBoxLayout(holder)
    around.setContentsMargins(8, 6, 8, 2)
    around.addWidget(banner)
    holder.setVisible(not banner.isHidden())
    _FollowShown(banner, holder)
    column.addWidget(holder)
    if pages is not None:
        column.addWidget(pages, 1)
    window.setCentralWidget(box)


class _FollowShown(QObject):
    """``follower`` is shown and hidden with ``widget``."""

    def __init__(self, widget: QWidget, follower: QWidget) -> None:
        super().__init__(widget)
        self.follower = follower
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self.follower.setVisible(event.type() == QEvent.Type.ShowToParent)
        return False
