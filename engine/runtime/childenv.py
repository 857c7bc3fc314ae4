"""The environment and start options of programs Flowdeck starts for a workflow (program.run, python.run, open).

A frozen bundle changes its own environment so that it can load its libraries and Qt plugins: PyInstaller's
bootloader puts the bundle first in ``LD_LIBRARY_PATH`` (keeping the person's value in ``LD_LIBRARY_PATH_ORIG``),
its Qt runtime hook points ``QT_PLUGIN_PATH`` and ``QML2_IMPORT_PATH`` into the bundle, and it leaves ``_PYI_*``
markers. A program the person's workflow starts must not inherit any of that: it would load the bundle's glib,
OpenSSL or Qt plugins instead of its own. ``session_environ`` gives back the environment of the person's session.

The bundle's first runtime hook (packaging/rthook_session.py) records the Qt variables' values before PyInstaller's
hook overwrites them, as ``_FLOWDECK_ORIG_<NAME>`` (absent: the variable was not set).

No Qt here, and nothing heavy: block modules import this when a program runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

# Set by PyInstaller's bootloader, which keeps the person's value in <NAME>_ORIG (no _ORIG: it was not set).
LOADER_VARS = ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "DYLD_FRAMEWORK_PATH", "LIBPATH")
# Set by the bundle's runtime hooks (PySide6's); their original values are kept under ORIG_PREFIX.
BUNDLE_VARS = ("QT_PLUGIN_PATH", "QML2_IMPORT_PATH", "PYSIDE6_OPTION_PYTHON_ENUM")
ORIG_PREFIX = "_FLOWDECK_ORIG_"
RECORDED = "_FLOWDECK_ORIG_RECORDED"  # the hook ran: a missing _FLOWDECK_ORIG_<NAME> means "was not set"
PYI_PREFIX = "_PYI_"  # the bootloader's own markers; a child bundle must start as a program of its own

# Windows process creation flags (winbase.h); numbers, so this module imports and is tested on every system.
CREATE_NEW_PROCESS_GROUP = 0x00000200
CREATE_NO_WINDOW = 0x08000000


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def session_environ(environ: Mapping[str, str] | None = None, *, frozen: bool | None = None) -> dict[str, str]:
    """A copy of ``environ`` (default ``os.environ``) as the person's session had it, before the bundle started.

    Outside a frozen bundle nothing changes.
    """
    env = dict(os.environ if environ is None else environ)
    if not (is_frozen() if frozen is None else frozen):
        return env
    for name in LOADER_VARS:
        _restore(env, name, name + "_ORIG")
    if RECORDED in env:
        for name in BUNDLE_VARS:
            _restore(env, name, ORIG_PREFIX + name)
    for key in [k for k in env if k.startswith((PYI_PREFIX, ORIG_PREFIX))]:
        del env[key]
    return env


def _restore(env: dict[str, str], name: str, saved: str) -> None:
    if saved in env:
        env[name] = env.pop(saved)
    else:
        env.pop(name, None)


def record_originals(environ: Any = None) -> None:
    """Keep the Qt variables' values before the bundle's Qt hook sets them (run by the bundle's first runtime hook).

    A process the bundle starts of itself (a run process) inherits the record and keeps it: the values it sees were
    already changed by its parent.
    """
    env = os.environ if environ is None else environ
    if RECORDED in env:
        return
    env[RECORDED] = "1"
    for name in BUNDLE_VARS:
        if name in env:
            env[ORIG_PREFIX + name] = env[name]


def popen_options(*, platform: str | None = None, has_console: bool | None = None) -> dict[str, Any]:
    """Keyword arguments for ``subprocess.Popen`` of a program that gets its own process group (or session).

    On Windows a console program started by the windowed app (no console of its own) would open a console window
    of its own in front of the person: CREATE_NO_WINDOW keeps it hidden (its output is read through pipes).
    """
    platform = platform or sys.platform
    if platform != "win32":
        return {"start_new_session": True}
    flags = CREATE_NEW_PROCESS_GROUP
    if not (_has_console() if has_console is None else has_console):
        flags |= CREATE_NO_WINDOW
    return {"creationflags": flags}


def _has_console() -> bool:
    """Whether this Windows process has a console window (flowdeck.exe does, flowdeck-gui.exe does not)."""
    import ctypes

    return bool(ctypes.windll.kernel32.GetConsoleWindow())  # type: ignore[attr-defined]
