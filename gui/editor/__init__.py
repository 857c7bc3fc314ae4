"""The editor page: canvas, palette, inspector, run panel, YAML view, and the file handling around them."""

from gui.editor.page import EditorPage

__all__ = ["EditorPage"]
