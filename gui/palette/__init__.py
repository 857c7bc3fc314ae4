"""The block palette: every registered block by category, searchable, dragged onto the canvas."""

from gui.palette.palette import BlockPalette

__all__ = ["BlockPalette"]
