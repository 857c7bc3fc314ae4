"""Memory the app needs only while it starts, kept from staying for its whole life in the tray.

PySide6 looks at the source of every module imported once it is loaded (its ``__feature__`` switches apply to
modules that mention PySide6) with ``inspect.getsource``, which keeps every line it read in ``linecache``: ≈ 12 MB
of text for the app's modules, scattered among objects that live on, so clearing the cache later frees little.
``keep_no_source`` lets PySide6 read each file as before and keeps nothing. Measured in benchmarks/README.md
("Footprint").
"""

from __future__ import annotations

import linecache
import logging
import sys
from types import ModuleType

log = logging.getLogger("flowdeck.app")


def keep_no_source() -> None:
    """Call right after PySide6 is first imported: the lines read at its import are dropped, and later checks
    read the module's file without keeping it (the same answer: whether its text mentions PySide6)."""
    feature = sys.modules.get("shibokensupport.feature")
    check = getattr(feature, "_mod_uses_pyside", None)
    if check is None or getattr(check, "_flowdeck", False):
        return  # another PySide6 (or this was done): nothing to change

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None) or ""
        if path.endswith(".py"):
            try:
                with open(path, encoding="utf-8", errors="replace") as source:
                    return "PySide6" in source.read()
            except OSError:
                return False
        known = set(linecache.cache)
        try:
            return check(module)  # a module from elsewhere (a zip, a bundle): PySide6's own way
        finally:
            for name in set(linecache.cache) - known:
                linecache.cache.pop(name, None)

    uses_pyside._flowdeck = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]
    linecache.clearcache()
