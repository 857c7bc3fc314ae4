"""Real file-system faults for tests: a tiny disk that really fills up and a folder that is really read-only.

Both are tmpfs mounts (root only; ``chmod 0555`` does not stop root, a read-only mount does). Where mounting is
impossible (not root, no mount permission in this container) the test is skipped and says why.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise OSError(done.stderr.strip() or f"mount {' '.join(args)} failed")


@contextmanager
def tiny_disk(folder: Path, size: str = "256k") -> Iterator[Path]:
    """``folder`` as a tmpfs of ``size``, unmounted at the end (skips the test where nothing can be mounted)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tiny file system for a real full disk needs root")
    try:
        _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    except OSError as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc}): a real full disk cannot be made")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> Path:
    """Write a file in ``folder`` until the disk is full; returns it (delete it to free the space)."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    return filler


def set_read_only(folder: Path, read_only: bool = True) -> None:
    """Remount the tmpfs at ``folder`` read-only (or writable again)."""
    _mount("-o", f"remount,{'ro' if read_only else 'rw'}", str(folder))
