"""The Qt binding must keep reference counts right: a tray app makes millions of Qt calls in its life.

PySide6 6.12.0 on Python 3.11 returned None from every void method without taking a reference, so None's count
fell by one per call until the interpreter aborted ("deallocating None") — after a few thousand calls.
pyproject.toml keeps PySide6 below 6.12 for that reason; this test says so if a future version does it again.
"""

import sys

from PySide6.QtCore import QObject


def test_void_calls_keep_none_alive() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        obj.setObjectName("x")
    assert abs(sys.getrefcount(None) - before) < 50, "each void Qt call changes None's reference count"
