"""The Flowdeck app as a real process on a real X display, and how a test looks at it and drives it."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.xdisplay import XDisplay

ROOT = Path(__file__).parents[3]
EXAMPLES = ROOT / "resources" / "examples"
FAILS = """flowdeck: 1
name: Always fails
steps:
  boom:
    do: fail
    with: {message: disk is full}
"""
SLOW = """flowdeck: 1
name: Slow one
steps:
  nap:
    do: wait
    with: {duration: 60s}
"""


@dataclass
class Home:
    """A person's folders (XDG dirs) and workspace, all inside the test's temporary folder."""

    root: Path
    workspace: Path = field(init=False)

    def __post_init__(self) -> None:
        for sub in ("config", "data", "state", "cache", "runtime"):
            (self.root / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        self.workspace = self.root / "ws"
        self.workspace.mkdir(exist_ok=True)
        (self.workspace / "hello.yaml").write_bytes((EXAMPLES / "hello.yaml").read_bytes())
        (self.workspace / "fails.yaml").write_text(FAILS)
        (self.workspace / "slow.yaml").write_text(SLOW)
        conf = self.root / "config" / "Flowdeck" / "Flowdeck.ini"
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text(f"[General]\nworkspace={self.workspace}\nwebhook_port={free_port()}\n")

    def env(self, x: XDisplay) -> dict[str, str]:
        return x.env(
            XDG_CONFIG_HOME=str(self.root / "config"),
            XDG_DATA_HOME=str(self.root / "data"),
            XDG_STATE_HOME=str(self.root / "state"),
            XDG_CACHE_HOME=str(self.root / "cache"),
            XDG_RUNTIME_DIR=str(self.root / "runtime"),
        )

    @property
    def log(self) -> Path:
        return self.root / "state" / "flowdeck" / "log" / "flowdeck.log"

    @property
    def autostart(self) -> Path:
        return self.root / "config" / "autostart" / "io.github.flowdeck.Flowdeck.desktop"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """One running Flowdeck."""

    def __init__(self, x: XDisplay, home: Home, *args: str) -> None:
        self.x, self.home = x, home
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gui", *args],
            env=home.env(x),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    # -- looking -------------------------------------------------------------------------------
    def log_text(self) -> str:
        return self.home.log.read_text() if self.home.log.exists() else ""

    def wait_log(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log_text())
            if found:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"log never said {pattern!r}; log:\n{self.log_text()}\noutput:\n{self.output()}")

    def output(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stdout.read() if self.proc.stdout else ""

    def xdo(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.x.env(), capture_output=True, text=True, timeout=20)
        return done.stdout

    def windows(self) -> list[tuple[int, str, int, int, int, int, int]]:
        """(id, name, width, height, x, y, depth) of every window, depth = nesting level in the tree."""
        for _ in range(5):  # a window destroyed while xwininfo walks the tree makes it fail (BadWindow): again
            done = subprocess.run(
                ["xwininfo", "-root", "-tree"], env=self.x.env(), capture_output=True, text=True, timeout=20
            )
            if done.returncode == 0:
                break
            time.sleep(0.1)
        tree = done.stdout
        out = []
        for line in tree.splitlines():
            m = re.match(r'(\s*)(0x[0-9a-f]+) "([^"]*)".*?(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)', line)
            if m:
                out.append((int(m[2], 16), m[3], int(m[4]), int(m[5]), int(m[6]), int(m[7]), len(m[1])))
        return out

    def tray_icon(self) -> tuple[int, int] | None:
        """Centre of Flowdeck's icon inside trayer's panel, or None if it is not embedded."""
        wins = self.windows()
        for i, (_, name, *_rest) in enumerate(wins):
            if name == "panel":
                depth = wins[i][6]
                for _wid, child, w, h, x, y, d in wins[i + 1 :]:
                    if d <= depth:
                        break
                    if child == "Flowdeck":
                        return x + w // 2, y + h // 2
        return None

    def main_window(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for wid, name, w, h, *_ in self.windows():
                if name.startswith("Flowdeck") and w >= 600 and h >= 400:
                    return wid
            time.sleep(0.2)
        raise AssertionError("the main window never appeared")

    def viewable(self, wid: int) -> bool:
        info = subprocess.run(
            ["xwininfo", "-id", hex(wid)], env=self.x.env(), capture_output=True, text=True, timeout=20
        ).stdout
        return "IsViewable" in info

    def wait_for(self, predicate, what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"{what}: not within {timeout:.0f}s; log:\n{self.log_text()}")

    def window_named(self, title: str) -> int | None:
        ids = self.xdo("search", "--onlyvisible", "--name", f"^{re.escape(title)}$").split()
        return int(ids[0]) if ids else None

    # -- driving -------------------------------------------------------------------------------
    def press_in(self, title: str, key: str) -> None:
        """Give the dialog called ``title`` the focus (there is no window manager here to do it) and press ``key``."""
        self.wait_for(lambda: self.window_named(title) is not None, f"the dialog '{title}' is shown")
        self.xdo("windowfocus", "--sync", str(self.window_named(title)))
        time.sleep(0.3)
        self.xdo("key", key)

    def tray_menu(self, *keys: str) -> None:
        """Open the tray icon's menu with a right click and pick an entry with its keys."""
        icon = self.tray_icon()
        assert icon is not None, "the tray icon is not embedded"
        before = set(self.popups())
        self.xdo("mousemove", str(icon[0]), str(icon[1]), "click", "3")
        self.wait_for(lambda: set(self.popups()) - before, "the tray menu opened", 10)
        time.sleep(1.0)  # the menu takes the keyboard once it is shown: on a busy machine keys sent 0.4 s after
        # it was mapped were lost now and then (the Run entry not started, Quit not quitting, in fresh-clone runs)
        for key in keys:
            self.xdo("key", key)
            time.sleep(0.5)

    def popups(self) -> list[int]:
        """Visible small top-level windows of the app: the tray menu, balloon messages."""
        wins = self.windows()
        if not wins:
            return []
        top = min(d for *_, d in wins)
        small = [wid for wid, n, w, h, _x, _y, d in wins if n == "Flowdeck" and d == top and w < 500 and h > 40]
        return [wid for wid in small if self.viewable(wid)]

    def popup_visible(self) -> bool:
        return bool(self.popups())

    def click_popup(self, wid: int) -> None:
        """Click inside a balloon message (its text, away from the arrow and the close button)."""
        geometry = self.xdo("getwindowgeometry", str(wid))
        x, y = (int(v) for v in geometry.split("Position: ")[1].split()[0].split(","))
        self.xdo("mousemove", str(x + 60), str(y + 50), "click", "1")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(15)
