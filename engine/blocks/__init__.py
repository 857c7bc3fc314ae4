"""Built-in blocks. The registry imports every module here; the imports below come first so that the
palette shows categories and blocks in this order (Files & folders, Programs, Web, Data, Messages,
Desktop, State, then Control from control.py). Heavy libraries are imported inside the block functions."""

from engine.blocks import files, transfer, listing, archive  # noqa: F401, I001  Files & folders
from engine.blocks import programs, python  # noqa: F401  Programs (open comes from desktop)
from engine.blocks import web  # noqa: F401  Web
from engine.blocks import data, tables, dates  # noqa: F401  Data (set comes from core)
from engine.blocks import mail, desktop, core  # noqa: F401  Messages
from engine.blocks import desktop_input, desktop_windows, desktop_screen, desktop_ask  # noqa: F401  Desktop
from engine.blocks import state  # noqa: F401  State
