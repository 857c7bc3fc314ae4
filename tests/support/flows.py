"""Workflow texts that many tests use."""

from __future__ import annotations

from pathlib import Path


def tick(marks: Path | str, word: str = "tick") -> str:
    """A workflow scheduled every second that appends a line (``word``, which may be an expression) to ``marks``:
    counting its lines counts its runs."""
    return f"""flowdeck: 1
name: Tick
triggers:
  - schedule: {{every: 1s}}
steps:
  mark:
    do: file.write
    with: {{path: "{marks}", content: "{word}", append: true, newline: true}}
"""
