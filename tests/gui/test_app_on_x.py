"""The app as a person starts it: a real process on a real X display (Xvfb, started by the test run)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.xdisplay import XDisplay


def wait_for_window(x: XDisplay, name: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", name], env=x.env(), capture_output=True, text=True
        )
        if found.stdout.strip():
            return found.stdout.split()[0]
        time.sleep(0.2)
    raise AssertionError(f"no visible window named {name!r} within {timeout:.0f}s")


@pytest.mark.xdisplay
def test_app_opens_a_window_on_a_real_display(xdisplay: XDisplay, tmp_path: Path) -> None:
    dirs = {
        f"XDG_{name}": tmp_path / name.split("_")[0].lower()
        for name in ("CONFIG_HOME", "DATA_HOME", "STATE_HOME", "RUNTIME_DIR")
    }
    for folder in dirs.values():
        folder.mkdir(mode=0o700)
    env = xdisplay.env(**{k: str(v) for k, v in dirs.items()})
    proc = subprocess.Popen(
        [sys.executable, "-m", "gui"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        window = wait_for_window(xdisplay, "Flowdeck")
        geometry = subprocess.run(
            ["xdotool", "getwindowgeometry", window], env=xdisplay.env(), capture_output=True, text=True
        ).stdout
        assert "Geometry:" in geometry
        shot = tmp_path / "app.png"
        xdisplay.screenshot(str(shot))
        assert shot.stat().st_size > 1000
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "Traceback" not in (out or "")
