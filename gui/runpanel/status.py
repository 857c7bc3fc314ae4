"""Status words and colours shared by the results table, the detail header and the status line."""

from __future__ import annotations

from PySide6.QtGui import QColor

from engine.errors import SHORT, one_line
from gui.runpanel.record import RunRecord
from gui.runpanel.values import duration_text

# status -> (symbol, words, colour)
STATUS = {
    "running": ("●", "Running", "#3f8fd2"),
    "retrying": ("↻", "Retrying", "#d08a1c"),
    "succeeded": ("✓", "Succeeded", "#3c9a5f"),
    "pinned": ("✓", "Pinned", "#2f7de1"),
    "failed": ("✗", "Failed", "#d9534f"),
    "handled": ("⚑", "Failed, handled", "#d08a1c"),
    "skipped": ("–", "Skipped", "#8a8f98"),
    "cancelled": ("■", "Cancelled", "#8a8f98"),
}


def status_parts(status: str) -> tuple[str, str, QColor]:
    symbol, words, colour = STATUS.get(status, ("•", status.capitalize(), "#8a8f98"))
    return symbol, words, QColor(colour)


def badge_html(status: str) -> str:
    symbol, words, colour = status_parts(status)
    return f"<span style='color:{colour.name()}; font-weight:600'>{symbol} {words}</span>"


def run_line(run: RunRecord | None) -> str:
    """The status line's text (rich text) for the watched run."""
    if run is None:
        return "<span style='color:gray'>No run yet: press Run to try the workflow.</span>"
    if run.status == "running":
        where = f" — step <b>{run.current}</b>" if run.current else ""
        done = sum(1 for s in run.steps.values() if s.status in ("succeeded", "pinned", "handled", "skipped"))
        progress = f" ({run.progress[0]}/{run.progress[1]})" if run.progress and run.progress[1] else ""
        return f"{badge_html('running')}{where}{progress} · {done} step{'s' if done != 1 else ''} done"
    text = f"{badge_html(run.status)} in {duration_text(run.duration)}"
    message = run.error.get("message") if run.error else None
    if message:
        at = f" at step <b>{run.error.get('step')}</b>" if run.error.get("step") else ""
        text += f"{at}: {_escape(str(message))}"
    return text


def _escape(text: str) -> str:
    import html

    return html.escape(one_line(text, SHORT))
