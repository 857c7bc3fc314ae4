"""The read-only YAML tab: exactly the text Save would write (engine.io.dumps of the model)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from engine.io import dumps
from gui.document import WorkflowDocument

_SIGNALS = ("stepAdded", "stepRemoved", "stepChanged", "stepRenamed", "stepMoved", "wiresChanged", "workflowChanged")


class YamlView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("yamlView")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.document_: WorkflowDocument | None = None
        self._stale = True
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.refresh)

    def set_document(self, document: WorkflowDocument) -> None:
        if self.document_ is not None:
            for name in _SIGNALS:
                try:
                    getattr(self.document_, name).disconnect(self._changed)
                except (RuntimeError, TypeError):
                    pass
        self.document_ = document
        for name in _SIGNALS:
            getattr(document, name).connect(self._changed)
        self._changed()

    def _changed(self, *_args: object) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event: object) -> None:  # the text is made only when someone looks at it
        super().showEvent(event)  # type: ignore[arg-type]
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        if self.document_ is None:
            return
        scroll = self.verticalScrollBar().value()
        self.setPlainText(dumps(self.document_.workflow))
        self.verticalScrollBar().setValue(scroll)
        self._stale = False
