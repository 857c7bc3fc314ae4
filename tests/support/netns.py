"""A network namespace of the test's own (``unshare --net --map-root-user``: no root needed where user namespaces
are allowed), so interfaces can be made and removed for real without touching the machine's network."""

from __future__ import annotations

import shutil
import subprocess

import pytest

PREFIX = ["unshare", "--net", "--map-root-user"]


def in_netns(command: list[str]) -> list[str]:
    """``command`` started in a new network namespace whose loopback is up (ip needs no other help there)."""
    for tool in ("unshare", "nsenter", "ip"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (util-linux, iproute2)")
    return [*PREFIX, "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]


def ip(pid: int, *args: str) -> None:
    """``ip ARGS`` in the network namespace of the process ``pid`` (started with in_netns)."""
    done = subprocess.run(["nsenter", "-t", str(pid), "-U", "-n", "--preserve-credentials", "ip", *args],
                          capture_output=True, text=True, timeout=10)  # fmt: skip
    assert done.returncode == 0, f"ip {' '.join(args)}: {done.stderr.strip()}"
