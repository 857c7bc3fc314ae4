"""The inspector: a form generated from the selected step's block declaration, or the workflow's settings."""

from gui.inspector.inspector import Inspector

__all__ = ["Inspector"]
