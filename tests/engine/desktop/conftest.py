"""The desktop tests share one display with a window manager (tests/support/desk.py); the usb and display
triggers' tests a fake udev (tests/support/udevbed.py)."""

from tests.support.desk import desk, desk_display, probe  # noqa: F401
from tests.support.udevbed import udevbed  # noqa: F401
