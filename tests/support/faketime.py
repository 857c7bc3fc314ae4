"""A wall clock set by the test for a whole process tree, the monotonic clock left real (libfaketime).

The library is the one bundled in PyPI's ``libfaketime`` package (Debian's 0.9.10 breaks ``time.sleep`` when the
monotonic clock is not faked). The fake time is an offset from the real wall clock, kept in a file the library
reads on every call, so a test can jump the wall clock of a running daemon (a suspend) by rewriting it.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest


class FakeWallClock:
    """The wall clock of the processes started with ``env``: ``start`` at first, then moved by ``jump``."""

    def __init__(self, folder: Path, start: datetime) -> None:
        self.file = folder / "faketime"
        self._offset = start.timestamp() - time.time()
        self._write()

    def _write(self) -> None:
        self.file.write_text(f"{self._offset:+.3f}\n", encoding="ascii")

    def now(self) -> float:
        """What ``time.time()`` says in the faked processes."""
        return time.time() + self._offset

    def jump(self, seconds: float) -> None:
        """Move the wall clock ahead by ``seconds`` at once (the monotonic clock does not move: a suspend)."""
        self._offset += seconds
        self._write()

    def env(self) -> dict[str, str]:
        return {
            "LD_PRELOAD": str(_library()),
            "FAKETIME_TIMESTAMP_FILE": str(self.file),
            "FAKETIME_NO_CACHE": "1",  # read the file on every call, so a jump is seen at once
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "TZ": "UTC",
        }


def _library() -> Path:
    if not sys.platform.startswith("linux"):
        pytest.skip("libfaketime's LD_PRELOAD is Linux-only")
    spec = importlib.util.find_spec("libfaketime")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("the libfaketime package is missing: install the dev extra (./dev test does)")
    lib = Path(spec.submodule_search_locations[0]) / "vendor" / "libfaketime" / "src" / "libfaketime.so.1"
    if not lib.exists():
        pytest.fail(f"libfaketime's library is not where the package keeps it: {lib}")
    return lib
