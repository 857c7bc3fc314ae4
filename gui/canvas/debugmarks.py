"""What the canvas shows of debugging: breakpoint dots, pin tags and the step a paused run waits before.

The editor's debugging controller owns the state (breakpoints live in the editor session, pins beside the file);
the scene keeps one DebugMarks that its nodes read when they paint, so nodes built later (undo, paste) show them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QColor

PAUSED = ("#8e44ad", "#c58cff")  # light, dark: a colour no run status uses (running is amber, failed red)


@dataclass
class DebugMarks:
    breakpoints: dict[str, str | None] = field(default_factory=dict)  # step -> condition (None: always)
    pins: set[str] = field(default_factory=set)
    paused: str | None = None  # the step a paused run waits before


def paused_colour(dark: bool) -> QColor:
    return QColor(PAUSED[dark])
