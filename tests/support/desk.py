"""A real X display with a window manager (openbox) and the Tk probe window (desk_probe.py) for the desktop tests.

Import the fixtures where they are used: ``from tests.support.desk import desk, desk_display, probe  # noqa: F401``
(``tray_on_desk`` adds trayer, for the app).
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.xdisplay import XDisplay, start_xvfb

PROBE = Path(__file__).with_name("desk_probe.py")
# A workflow with one trigger whose run appends a line to a file (the desktop trigger tests).
TRIGGERED_FLOW = """flowdeck: 1
name: {name}
triggers:
  - {trigger}
policy: {{overlap: parallel}}
steps:
  note:
    do: file.write
    with: {{path: "{out}", content: "{line}", append: true, newline: true}}
"""


@dataclass
class Probe:
    """The Tk window and the lines it printed."""

    proc: subprocess.Popen
    lines: queue.Queue = field(default_factory=queue.Queue)
    origin: tuple[int, int] = (0, 0)

    def expect(self, prefix: str, timeout: float = 5.0) -> str:
        """The next line starting with ``prefix`` (others are skipped); fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        skipped: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"the probe window printed no '{prefix}' line within {timeout} s (it printed {skipped})")
            if line.startswith(prefix):
                return line
            skipped.append(line)

    def drain(self) -> None:
        while not self.lines.empty():
            self.lines.get_nowait()


@dataclass
class Desk:
    x: XDisplay
    wm: subprocess.Popen

    def probe(self, title: str = "Flowdeck probe") -> Probe:
        proc = subprocess.Popen([sys.executable, str(PROBE), title], env=self.x.env(), stdout=subprocess.PIPE,
                                text=True)  # fmt: skip
        probe = Probe(proc)
        threading.Thread(target=_pump, args=(proc, probe.lines), daemon=True).start()
        ready = probe.expect("ready", 10).split()
        probe.origin = (int(ready[1]), int(ready[2]))
        return probe


def _pump(proc: subprocess.Popen, lines: queue.Queue) -> None:
    for line in proc.stdout:
        lines.put(line.rstrip("\n"))


@pytest.fixture(scope="session")
def desk_display() -> Iterator[Desk]:
    """Xvfb + openbox, started once for the session."""
    if shutil.which("openbox") is None:
        pytest.fail("openbox is not installed; run the tests with ./dev test, which installs it")
    x = start_xvfb()
    quiet = subprocess.DEVNULL
    wm = subprocess.Popen(["openbox", "--sm-disable"], env=x.env(), stdout=quiet, stderr=quiet)
    _wait_for_wm(x)
    yield Desk(x, wm)
    wm.terminate()
    wm.wait(10)
    x.proc.terminate()
    x.proc.wait(10)


@pytest.fixture
def desk(desk_display: Desk, monkeypatch: pytest.MonkeyPatch) -> Desk:
    """The display, with DISPLAY pointing at it in this process for one test (the blocks read the environment)."""
    monkeypatch.setenv("DISPLAY", desk_display.x.display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    return desk_display


@pytest.fixture
def tray_on_desk(desk_display: Desk) -> Iterator[Desk]:
    """trayer on the display with openbox: the app's tray icon needs a tray, window triggers a window manager."""
    tray = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height",
                             "32", "--transparent", "false"], env=desk_display.x.env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(0.5)
    yield desk_display
    tray.terminate()
    tray.wait(10)


def _wait_for_wm(x: XDisplay) -> None:
    from Xlib import X, display

    d = display.Display(x.display)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if d.screen().root.get_full_property(d.intern_atom("_NET_SUPPORTING_WM_CHECK"), X.AnyPropertyType):
            d.close()
            return
        time.sleep(0.05)
    pytest.fail("openbox did not start on the test display")


@pytest.fixture
def probe(desk: Desk) -> Iterator[Probe]:
    p = desk.probe()
    yield p
    p.proc.terminate()
    p.proc.wait(10)
