"""The run log: one line per event (time, level colour, step id, message), appended in batches.

Lines are collected and written at most every 60 ms, so a step printing thousands of lines costs a few
repaints, not thousands; the view keeps the newest MAX_LOG lines.
"""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from engine.runtime import events as ev
from gui.inspector.widgets import monospace_font
from gui.runpanel.record import MAX_LOG
from gui.runpanel.values import duration_text, short

LEVEL_COLOURS = {"debug": "#8a8f98", "info": "", "warning": "#d08a1c", "error": "#d9534f"}
STEP_COLOUR = "#3f8fd2"
OK_COLOUR = "#3c9a5f"


def event_line(event: ev.Event) -> tuple[str, str] | None:
    """(level, message) for the events that read well in a log; None for the rest."""
    d = event.data
    kind = event.kind
    if kind == ev.LOG:
        return str(d.get("level", "info")), str(d.get("message", ""))
    if kind == ev.RUN_STARTED:
        return "info", f"Run started ({d.get('source') or 'manual'})"
    if kind == ev.RUN_FINISHED:
        error = (d.get("error") or {}).get("message")
        level = "ok" if d.get("status") == "succeeded" else "error" if d.get("status") == "failed" else "warning"
        return level, f"Run {d.get('status')} in {duration_text(d.get('duration'))}" + (f": {error}" if error else "")
    if kind == ev.STEP_FINISHED:
        port = f" → {d['port']}" if d.get("port") not in (None, "", "next") else ""
        return "ok", f"done in {duration_text(d.get('duration'))}{port}"
    if kind == ev.STEP_FAILED:
        how = " (handled)" if d.get("handled") else ""
        return ("warning" if how else "error"), f"failed{how}: {d.get('error')}"
    if kind == ev.STEP_RETRYING:
        return "warning", f"attempt {d.get('attempt')} failed: {d.get('error')}; retrying in {d.get('delay')}s"
    if kind == ev.STEP_SKIPPED:
        return "debug", f"skipped{': ' + str(d['reason']) if d.get('reason') else ''}"
    if kind == ev.STEP_STARTED and d.get("attempt", 1) == 1:
        return "debug", f"started ({d.get('block')})"
    return None


class RunLog(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(monospace_font())
        self.setMaximumBlockCount(MAX_LOG)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # errors are long; all of them shows
        self.setPlaceholderText("Press Run to try the workflow; its log appears here.")
        self._pending: list[str] = []
        self._timer = QTimer(self, singleShot=True, interval=60)
        self._timer.timeout.connect(self.flush)
        self.lines = 0

    def add(self, event: ev.Event) -> None:
        found = event_line(event)
        if found is None:
            return
        self._pending.append(self._html(event, *found))
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        if not self._pending:
            return
        lines, self._pending = self._pending, []
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        for line in lines:
            self.appendHtml(line)
        self.lines += len(lines)
        if at_end:
            bar.setValue(bar.maximum())

    def clear_log(self) -> None:
        self._pending.clear()
        self.clear()
        self.lines = 0

    def _html(self, event: ev.Event, level: str, message: str) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(event.time)) + f".{int(event.time * 1000) % 1000:03d}"
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        colour = OK_COLOUR if level == "ok" else LEVEL_COLOURS.get(level, "")
        text = html.escape(short(message, 2000))
        body = f"<span style='color:{colour}'>{text}</span>" if colour else text
        step = f"<span style='color:{STEP_COLOUR}'>{html.escape(event.step)}</span> " if event.step else ""
        badge = _level_badge(level)
        return f"<span style='color:{muted}'>{stamp}</span> {badge}{step}{body}"


def _level_badge(level: str) -> str:
    if level in ("warning", "error"):
        return f"<b style='color:{LEVEL_COLOURS[level]}'>{level.upper()}</b> "
    return ""


def plain_lines(widget: RunLog) -> list[str]:
    return widget.toPlainText().splitlines()
