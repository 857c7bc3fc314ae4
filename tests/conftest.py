"""Test-wide set-up: Qt renders offscreen, and Flowdeck's user folders point into a temporary place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before anything imports Qt: widgets render offscreen unless a test starts its own X display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep the tests away from the real user's data, config and keyring.
_HOME = Path(tempfile.mkdtemp(prefix="flowdeck-tests-"))
for var, sub in (
    ("XDG_DATA_HOME", "data"),
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_STATE_HOME", "state"),
    ("XDG_CACHE_HOME", "cache"),
    ("XDG_RUNTIME_DIR", "runtime"),
):
    os.environ[var] = str(_HOME / sub)
    (_HOME / sub).mkdir(mode=0o700, exist_ok=True)
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.memkeyring.MemoryKeyring"

pytest_plugins = ["tests.support.xdisplay", "tests.support.redis"]
