"""The desktop tests share one display with a window manager (tests/support/desk.py)."""

from tests.support.desk import desk, desk_display, probe  # noqa: F401
