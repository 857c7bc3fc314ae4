"""The Flowdeck app as a person meets it in the end-to-end tests: the real ``python -m gui`` process on a real X
display (Xvfb, with trayer as the system tray), in the account of the ``product`` fixture (its own HOME and XDG
folders), looked at through what the screen and the files show and driven with xdotool.

It reuses the X11 driving of tests/gui/shell/app_process.py (tray menu, dialogs, balloon messages) and adds what a
person checks: the window's title and size, the colour of the tray icon's badge, a screenshot, the X clipboard.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.gui.shell.app_process import ROOT, App
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

# The tray badges' colours (gui/shell/icons.py): what a person sees in the lower right of the icon.
BADGES = {"running": (0x2F, 0x80, 0xED), "paused": (0xF2, 0xA5, 0x16), "failed": (0xE0, 0x40, 0x3A)}

_COLOURS = """
import json, sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv)
x, y, w, h = (int(v) for v in sys.argv[1:5])
image = QGuiApplication.primaryScreen().grabWindow(0, x, y, w, h).toImage()
counts = {}
for name, rgb in json.loads(sys.argv[5]).items():
    n = 0
    for i in range(image.width()):
        for j in range(image.height()):
            c = image.pixelColor(i, j)
            n += abs(c.red() - rgb[0]) + abs(c.green() - rgb[1]) + abs(c.blue() - rgb[2]) < 20
    counts[name] = n
print(json.dumps(counts))
"""

_CLIPBOARD_GET = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv)
sys.stdout.write(QGuiApplication.clipboard().text())
"""

_CLIPBOARD_OWN = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv)
QGuiApplication.clipboard().setText(sys.stdin.read())
print("owned", flush=True)
QTimer.singleShot(int(sys.argv[1]) * 1000, app.quit)
app.exec()
"""


class _Account:
    """What App needs of a person's folders, taken from the product's account."""

    def __init__(self, product: Product, extra: dict[str, str]) -> None:
        self.product, self.extra = product, extra
        self.workspace = product.workspace

    def env(self, x: XDisplay) -> dict[str, str]:
        return {**self.product.env, "DISPLAY": x.display, **self.extra}

    @property
    def log(self) -> Path:
        return self.product.state / "flowdeck" / "log" / "flowdeck.log"

    @property
    def autostart(self) -> Path:
        return self.product.config / "autostart" / "io.github.flowdeck.Flowdeck.desktop"

    @property
    def settings_file(self) -> Path:
        return self.product.config / "Flowdeck" / "Flowdeck.ini"


class Desktop(App):
    """One running Flowdeck app in the product's account."""

    def __init__(
        self, x: XDisplay, product: Product, *args: str, command: list[str] | None = None, env: dict | None = None
    ) -> None:
        """``flowdeck ARGS`` (``python -m gui`` from this checkout), or ``command`` as a desktop would run it."""
        self.x, self.product = x, product
        self.home = self.account = _Account(product, env or {})
        ini = self.account.settings_file
        if not ini.exists():  # the webhook server takes any free port: tests run side by side
            ini.parent.mkdir(parents=True, exist_ok=True)
            ini.write_text("[General]\nwebhook_port=0\n", encoding="utf-8")
        self.proc = subprocess.Popen(command or [sys.executable, "-m", "gui", *args], env=self.account.env(x),
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip

    # -- looking ---------------------------------------------------------------------------------
    def title(self, wid: int) -> str:
        """The window's title as the window manager shows it."""
        return self.xdo("getwindowname", str(wid)).strip()

    def wait_title(self, wid: int, expected: str, timeout: float = 20) -> None:
        self.wait_for(lambda: self.title(wid) == expected, f"the title is {expected!r} (it is {self.title(wid)!r})",
                      timeout)  # fmt: skip

    def geometry(self, wid: int) -> tuple[int, int]:
        """(width, height) of the window."""
        line = self.xdo("getwindowgeometry", str(wid)).split("Geometry: ")[1].split()[0]
        w, h = line.split("x")
        return int(w), int(h)

    def origin(self, wid: int) -> tuple[int, int]:
        """Where the window's top left corner is on the screen."""
        x, y = self.xdo("getwindowgeometry", str(wid)).split("Position: ")[1].split()[0].split(",")
        return int(x), int(y)

    def badge(self) -> dict[str, int]:
        """How many pixels of each badge colour the lower right quarter of the tray icon (the badge's place) shows."""
        icon = self.tray_icon()
        assert icon is not None, "the tray icon is not embedded"
        return self.colours((icon[0], icon[1], 14, 14), BADGES)

    def colours(self, rect: tuple[int, int, int, int], named: dict[str, tuple[int, int, int]]) -> dict[str, int]:
        """How many pixels of the screen's ``rect`` (x, y, width, height) have each of the ``named`` colours."""
        done = subprocess.run(
            [sys.executable, "-c", _COLOURS, *(str(v) for v in rect), json.dumps(named)],
            env=self.x.env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def wait_badge(self, state: str | None, timeout: float = 20) -> None:
        """Wait until the icon shows the badge of ``state`` (None: no badge at all)."""

        def shown() -> bool:
            counts = self.badge()
            if state is None:
                return not any(counts.values())
            return counts[state] > 10 and all(n == 0 for name, n in counts.items() if name != state)

        self.wait_for(shown, f"the tray icon shows the {state or 'no'} badge", timeout)

    def shot(self, path: Path) -> Path:
        """A screenshot of the whole screen (the app, the tray, a balloon), to look at."""
        self.x.screenshot(str(path))
        return path

    def clipboard(self) -> str:
        """The text on the X clipboard, as another program pasting would get it."""
        done = subprocess.run([sys.executable, "-c", _CLIPBOARD_GET], env=self.x.env(), capture_output=True,
                              text=True, timeout=30)  # fmt: skip
        return done.stdout

    def own_clipboard(self, text: str, seconds: int = 30) -> subprocess.Popen:
        """Another program (a text editor) copies ``text``; it keeps the clipboard for ``seconds``."""
        proc = subprocess.Popen([sys.executable, "-c", _CLIPBOARD_OWN, str(seconds)], env=self.x.env(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(text)
        proc.stdin.close()
        assert proc.stdout.readline().strip() == "owned"
        return proc

    def rss_mb(self) -> float:
        """The app process's resident memory in MB (its run workers are processes of their own)."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024

    def main_windows(self) -> list[int]:
        """Every Flowdeck main window shown on the display (one app, one window)."""
        return [
            wid
            for wid, name, w, h, *_ in self.windows()
            if name.startswith("Flowdeck") and w >= 600 and h >= 400 and self.viewable(wid)
        ]

    def main_window(self, timeout: float = 30) -> int:
        """The main window once it is shown (a page widget that Qt gave an X window of its own before it went
        into the window is big and called Flowdeck too, but never shown)."""
        found = wait_until(self.main_windows, timeout, 0.2)
        if not found:
            raise AssertionError(f"the main window never appeared; log:\n{self.log_text()}")
        return found[0]

    # -- driving ---------------------------------------------------------------------------------
    def focus(self, wid: int) -> None:
        """Give the window the keyboard (there is no window manager on the test display to do it)."""
        self.xdo("windowfocus", "--sync", str(wid))
        time.sleep(0.3)

    def keys(self, wid: int, *keys: str) -> None:
        """Press ``keys`` in the window, one after another, as a person types them."""
        self.focus(wid)
        for key in keys:
            self.xdo("key", "--clearmodifiers", key)
            time.sleep(0.25)

    def type(self, wid: int, text: str) -> None:
        self.focus(wid)
        self.xdo("type", "--delay", "30", text)

    def tray_menu(self, *keys: str) -> None:
        """Open the tray icon's menu with a right click and pick an entry with its keys (arrows go quickly, the
        key that chooses waits a moment, as the menu's submenus open with a short delay)."""
        icon = self.tray_icon()
        assert icon is not None, "the tray icon is not embedded"
        before = set(self.popups())
        self.xdo("mousemove", str(icon[0]), str(icon[1]), "click", "3")
        self.wait_for(lambda: set(self.popups()) - before, "the tray menu opened", 10)
        time.sleep(1.0)  # the menu takes the keyboard once it is shown: on a busy machine keys sent 0.4 s after
        # it was mapped were lost now and then (the Run entry not started, Quit not quitting, in fresh-clone runs)
        for key in keys:
            self.xdo("key", key)
            time.sleep(0.05 if key in ("Down", "Up") else 0.4)

    def launch(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """A second ``flowdeck ARGS`` in the same account (the person starts it again, or a file manager does)."""
        return subprocess.run([sys.executable, "-m", "gui", *args], env=self.account.env(self.x), cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)  # fmt: skip

    def quit(self) -> int:
        """Quit Flowdeck from the tray menu; its exit code."""
        self.tray_menu("q")
        return self.proc.wait(20)


def started(x: XDisplay, product: Product, *args: str, window: bool = True, env: dict | None = None,
            command: list[str] | None = None) -> Desktop:  # fmt: skip
    """The app started and settled: the window (unless minimised) and the tray icon shown, the service started."""
    app = Desktop(x, product, *args, env=env, command=command)
    if window:
        app.main_window()
    app.wait_log("started \\((window shown|in the tray)\\)")
    app.wait_for(lambda: app.tray_icon() is not None, "the tray icon is embedded in trayer")
    app.wait_log("service started")
    return app
