"""Undoing a Qt connection that may already be gone."""

from __future__ import annotations

from typing import Any


def disconnect(signal: Any, slot: Any) -> None:
    """Disconnect ``slot`` from ``signal``; a connection never made, or whose object Qt already deleted, is fine."""
    try:
        signal.disconnect(slot)
    except (RuntimeError, TypeError):
        pass
