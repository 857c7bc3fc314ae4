"""The run log: one line per event (time, level colour, step id, message), appended in batches.

Lines are collected and written at most every 60 ms, CHUNK at a time with a text cursor (no HTML to parse), so
a step printing thousands of lines costs a few short repaints and the window keeps answering; the view keeps
the newest MAX_LOG lines.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from engine.errors import LONG, one_line
from engine.runtime import events as ev
from gui.inspector.widgets import monospace_font
from gui.runpanel.record import MAX_LOG
from gui.runpanel.values import duration_text, short

LEVEL_COLOURS = {"debug": "#8a8f98", "info": "", "warning": "#d08a1c", "error": "#d9534f", "ok": "#3c9a5f"}
STEP_COLOUR = "#3f8fd2"
CHUNK = 400  # lines written per turn of the event loop


def event_line(event: ev.Event) -> tuple[str, str] | None:
    """(level, message) for the events that read well in a log; None for the rest."""
    d = event.data
    kind = event.kind
    if kind == ev.LOG:
        return str(d.get("level", "info")), str(d.get("message", ""))
    if kind == ev.RUN_STARTED:
        return "info", f"Run started ({d.get('source') or 'manual'})"
    if kind == ev.RUN_FINISHED:
        error = one_line((d.get("error") or {}).get("message") or "", LONG)
        level = "ok" if d.get("status") == "succeeded" else "error" if d.get("status") == "failed" else "warning"
        return level, f"Run {d.get('status')} in {duration_text(d.get('duration'))}" + (f": {error}" if error else "")
    if kind == ev.STEP_FINISHED:
        port = f" → {d['port']}" if d.get("port") not in (None, "", "next") else ""
        return "ok", f"done in {duration_text(d.get('duration'))}{port}"
    if kind == ev.STEP_FAILED:
        how = " (handled)" if d.get("handled") else ""
        return ("warning" if how else "error"), f"failed{how}: {one_line(d.get('error'), LONG)}"
    if kind == ev.STEP_RETRYING:
        error = one_line(d.get("error"), LONG)
        return "warning", f"attempt {d.get('attempt')} failed: {error}; retrying in {d.get('delay')}s"
    if kind == ev.STEP_SKIPPED:
        return "debug", f"skipped{': ' + str(d['reason']) if d.get('reason') else ''}"
    return None  # step_started: the status line says which step runs; a line each would double a loop's log


class RunLog(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(monospace_font())
        self.setMaximumBlockCount(MAX_LOG)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # errors are long; all of them shows
        self.setPlaceholderText("Press Run to try the workflow; its log appears here.")
        self._pending: list[tuple[float, str | None, str, str]] = []  # (time, step, level, message)
        self._timer = QTimer(self, singleShot=True, interval=60)
        self._timer.timeout.connect(self._write_some)
        self.lines = 0

    def add(self, event: ev.Event) -> None:
        found = event_line(event)
        if found is None:
            return
        self._pending.append((event.time, event.step, *found))
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Write every pending line now."""
        self._timer.stop()
        while self._pending:
            self._write(len(self._pending))

    def clear_log(self) -> None:
        self._pending.clear()
        self.clear()
        self.lines = 0

    def _write_some(self) -> None:
        self._write(CHUNK)
        if self._pending:
            self._timer.start(0)  # the rest on the next turn, after input and paint

    def _write(self, count: int) -> None:
        lines, self._pending = self._pending[:count], self._pending[count:]
        del lines[:-MAX_LOG]
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        formats = self._formats()
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        for when, step, level, message in lines:
            if not self.document().isEmpty():
                cursor.insertBlock()
            cursor.insertText(_stamp(when) + " ", formats["muted"])
            if level in ("warning", "error"):
                cursor.insertText(level.upper() + " ", formats["badge-" + level])
            if step:
                cursor.insertText(step + " ", formats["step"])
            cursor.insertText(short(message, 2000), formats.get(level, formats["info"]))
        cursor.endEditBlock()
        self.lines += len(lines)
        if at_end:
            bar.setValue(bar.maximum())

    def _formats(self) -> dict[str, QTextCharFormat]:
        text = self.palette().color(QPalette.ColorRole.Text)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        formats = {"muted": _format(muted), "step": _format(QColor(STEP_COLOUR)), "info": _format(text)}
        for level, colour in LEVEL_COLOURS.items():
            if colour:
                formats[level] = _format(QColor(colour))
                formats["badge-" + level] = _format(QColor(colour), bold=True)
        return formats


def _format(colour: QColor, *, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(colour)
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


def _stamp(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t)) + f".{int(t * 1000) % 1000:03d}"
