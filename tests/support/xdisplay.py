"""A real X display (Xvfb) and a real tray host (trayer) for the tests that need them.

Tests marked ``xdisplay`` take the ``xdisplay`` fixture and start the app as a real process with
``DISPLAY`` pointing at it. Xvfb is started by the test run itself; ./dev test installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass
class XDisplay:
    display: str
    proc: subprocess.Popen

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "DISPLAY": self.display, **extra}
        env.pop("QT_QPA_PLATFORM", None)  # the app picks xcb on a real display
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def screenshot(self, path: str) -> None:
        """Save the whole screen as PNG (through Qt, so no extra tool is needed)."""
        code = (
            "import sys; from PySide6.QtGui import QGuiApplication; app = QGuiApplication(sys.argv);"
            "QGuiApplication.primaryScreen().grabWindow(0).save(sys.argv[1])"
        )
        subprocess.run([_python(), "-c", code, path], env=self.env(), check=True, timeout=30)


def _python() -> str:
    import sys

    return sys.executable


def start_xvfb(size: str = "1280x800x24", *extra: str) -> XDisplay:
    """Xvfb on a free display number; ``extra`` goes to Xvfb (``-extension RECORD`` turns one off)."""
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is not installed; run the tests with ./dev test, which installs it")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp", "-noreset", *extra],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    deadline = time.monotonic() + 20
    number = b""
    with os.fdopen(read_fd, "rb") as pipe:
        while time.monotonic() < deadline and not number.endswith(b"\n"):
            chunk = pipe.read(1)
            if not chunk:
                break
            number += chunk
    if not number.strip():
        proc.kill()
        pytest.fail("Xvfb did not start")
    return XDisplay(f":{number.decode().strip()}", proc)


@pytest.fixture(scope="session")
def xdisplay() -> Iterator[XDisplay]:
    x = start_xvfb()
    yield x
    x.proc.terminate()
    x.proc.wait(10)


@pytest.fixture(scope="session")
def tray_host(xdisplay: XDisplay) -> Iterator[subprocess.Popen]:
    """trayer: a real system tray (XEmbed) on the test display."""
    if shutil.which("trayer") is None:
        pytest.fail("trayer is not installed; run the tests with ./dev test, which installs it")
    proc = subprocess.Popen(
        [
            "trayer",
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "request",
            "--height",
            "32",
            "--transparent",
            "false",
        ],
        env=xdisplay.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    yield proc
    proc.terminate()
    proc.wait(10)
