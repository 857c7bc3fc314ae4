"""The editor on a real X display (Xvfb), driven by the real pointer (xdotool): drag a block from the palette
onto the canvas, drag a wire from an output port to another step, then check the saved YAML."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.io import read_file
from tests.support.xdisplay import XDisplay

ROOT = Path(__file__).resolve().parents[3]


class Driver:
    def __init__(self, x: XDisplay, tmp: Path) -> None:
        self.x = x
        env = x.env(XDG_CONFIG_HOME=str(tmp / "config"), XDG_STATE_HOME=str(tmp / "state"))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.gui.editor.x_driver"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.read() == "ready"

    def read(self) -> object:
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            raise AssertionError("the editor process ended")
        return json.loads(line)

    def ask(self, command: str) -> object:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.read()

    def xdo(self, *args: object) -> None:
        subprocess.run(["xdotool", *map(str, args)], env=self.x.env(), check=True, timeout=20)

    def drag(self, start: list[int], end: list[int], steps: int = 12) -> None:
        """Press at ``start``, move in small steps like a hand does, release at ``end``."""
        self.xdo("mousemove", *start)
        time.sleep(0.2)
        self.xdo("mousedown", 1)
        time.sleep(0.2)
        for i in range(1, steps + 1):
            x = start[0] + (end[0] - start[0]) * i // steps
            y = start[1] + (end[1] - start[1]) * i // steps
            self.xdo("mousemove", x, y)
            time.sleep(0.05)
        time.sleep(0.3)
        self.xdo("mouseup", 1)
        time.sleep(0.3)
        self.xdo("mousemove", end[0] + 3, end[1] + 3)  # let a drag-and-drop loop see the pointer after the drop
        time.sleep(0.3)

    def wait_steps(self, predicate, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            steps = self.ask("steps")
            if predicate(steps) or time.monotonic() > deadline:
                return steps  # type: ignore[return-value]
            time.sleep(0.2)


@pytest.fixture
def driver(xdisplay: XDisplay, tmp_path: Path) -> Iterator[Driver]:
    d = Driver(xdisplay, tmp_path)
    time.sleep(0.5)  # the window maps and paints
    yield d
    try:
        d.ask("quit")
        d.proc.wait(10)
    except Exception:
        d.proc.kill()


@pytest.mark.xdisplay
def test_real_drag_from_palette_and_real_wire(driver: Driver, tmp_path: Path) -> None:
    driver.drag(driver.ask("palette log"), driver.ask("scene 80 100"))
    steps = driver.wait_steps(lambda s: len(s) == 1)
    assert list(steps) == ["log"], steps
    driver.drag(driver.ask("palette notify"), driver.ask("scene 330 140"))
    steps = driver.wait_steps(lambda s: len(s) == 2)
    assert steps["notify"]["do"] == "notify", steps
    x, y = steps["notify"]["at"]
    assert 200 <= x <= 260 and 100 <= y <= 140, steps  # dropped where the pointer was (less half a block)
    driver.drag(driver.ask("port log next"), driver.ask("node notify"))
    saved = tmp_path / "wired.yaml"
    assert driver.ask(f"save {saved}") is True
    driver.ask(f"shot {tmp_path / 'editor-on-x.png'}")
    wf, _problems = read_file(saved)
    assert wf is not None
    assert wf.steps["log"].next == {"next": ["notify"]}, saved.read_text()
    assert wf.layout["log"][0] < wf.layout["notify"][0]


@pytest.mark.xdisplay
def test_real_right_click_menu_and_a_wire_dropped_on_empty_canvas(driver: Driver) -> None:
    """A real right-click on a step opens its menu, whose Disable greys it; a real wire dragged from its output and
    let go on empty canvas opens the block picker there, and typing a name and Enter adds that block, wired."""
    driver.drag(driver.ask("palette log"), driver.ask("scene 80 100"))
    assert list(driver.wait_steps(lambda s: len(s) == 1)) == ["log"]
    driver.xdo("mousemove", *driver.ask("node log"))
    time.sleep(0.2)
    driver.xdo("click", 3)
    time.sleep(0.5)
    assert driver.ask("popup") == "stepMenu"
    where = driver.ask("action Disable")
    assert where is not None
    driver.xdo("mousemove", *where)
    time.sleep(0.2)
    driver.xdo("click", 1)
    assert driver.wait_steps(lambda s: s["log"]["disabled"])["log"]["disabled"] is True
    driver.drag(driver.ask("port log next"), driver.ask("scene 520 120"))
    assert driver.ask("popup") == "blockPicker"
    driver.xdo("type", "--delay", "40", "notify")
    driver.xdo("key", "Return")
    steps = driver.wait_steps(lambda s: len(s) == 2)
    assert steps["log"]["next"] == {"next": ["notify"]}, steps
    x, y = steps["notify"]["at"]
    assert 500 <= x <= 540 and 80 <= y <= 120, steps  # where the wire was let go
