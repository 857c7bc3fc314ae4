"""A Flowdeck editor window on a real X display, told what to report over stdin (one JSON line per answer).

The test moves the real pointer with xdotool; this process only says where things are and saves the file.
Run as ``python -m tests.gui.editor.x_driver`` with DISPLAY set.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, QPointF, Signal
from PySide6.QtWidgets import QApplication


class Commands(QObject):
    line = Signal(str)


def main() -> int:
    app = QApplication(["x_driver"])
    from gui.editor import EditorPage
    from gui.editor import files as files_mod
    from gui.mainwindow import MainWindow

    EditorPage.ask_unsaved = lambda self: files_mod.DISCARD  # type: ignore[method-assign]
    window = MainWindow()
    window.setGeometry(40, 40, 1200, 760)
    window.show()
    page = window.editor
    page.view.resetTransform()
    page.view.centerOn(250, 150)

    def answer(value: Any) -> None:
        print(json.dumps(value), flush=True)

    def glob(widget: Any, point: QPoint) -> list[int]:
        g = widget.mapToGlobal(point)
        return [g.x(), g.y()]

    def handle(text: str) -> None:
        cmd, *args = text.split()
        view = page.view
        if cmd == "palette":
            item = page.palette.item_for(args[0])
            page.palette.tree.scrollToItem(item)
            rect = page.palette.tree.visualItemRect(item)
            answer(glob(page.palette.tree.viewport(), rect.center()))
        elif cmd == "scene":
            answer(glob(view.viewport(), view.mapFromScene(QPointF(float(args[0]), float(args[1])))))
        elif cmd == "port":
            node = page.scene.nodes[args[0]]
            answer(glob(view.viewport(), view.mapFromScene(node.mapToScene(node.output_pos(args[1])))))
        elif cmd == "node":
            node = page.scene.nodes[args[0]]
            answer(glob(view.viewport(), view.mapFromScene(node.mapToScene(QPointF(90, 50)))))
        elif cmd == "steps":
            wf = page.document.workflow
            answer(
                {
                    sid: {"do": s.do, "at": wf.layout.get(sid), "disabled": s.disabled, "next": s.next}
                    for sid, s in wf.steps.items()
                }
            )
        elif cmd == "popup":  # the open popup (a menu, the block picker), by its object name
            popup = QApplication.activePopupWidget()
            answer(popup.objectName() if popup is not None else None)
        elif cmd == "action":  # where the open menu's entry starting with ARGS is, on the screen
            from PySide6.QtWidgets import QMenu

            menu = QApplication.activePopupWidget()
            text = " ".join(args)
            found = [a for a in menu.actions() if a.text().replace("&", "").startswith(text)] if menu else []
            ok = isinstance(menu, QMenu) and found
            answer(glob(menu, menu.actionGeometry(found[0]).center()) if ok else None)
        elif cmd == "save":
            answer(page._write(Path(args[0])))
        elif cmd == "shot":
            answer(window.grab().save(args[0]))
        elif cmd == "quit":
            answer(True)
            app.quit()

    commands = Commands()
    commands.line.connect(handle)

    def read() -> None:
        for raw in sys.stdin:
            if raw.strip():
                commands.line.emit(raw.strip())

    threading.Thread(target=read, daemon=True).start()
    answer("ready")
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
