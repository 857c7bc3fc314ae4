"""docs/app.md, Settings: the settings dialog of the real app (Xvfb, trayer, its own HOME), filled in with the
keyboard, and what a person then finds: the settings file, the autostart entry, the service on the new folder."""

from __future__ import annotations

import configparser
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop, started
from tests.e2e.test_app_tray import HELLO, lines, ticker
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay


def settings_dialog(app: Desktop) -> int:
    """Open Settings… from the tray menu; the dialog's window, with the keyboard in it."""
    app.tray_menu("s")
    app.wait_for(lambda: app.window_named("Flowdeck Settings") is not None, "the settings dialog opens")
    dialog = app.window_named("Flowdeck Settings")
    assert dialog is not None
    app.focus(dialog)
    return dialog


def stored(app: Desktop) -> dict[str, str]:
    """The [General] section of ~/.config/Flowdeck/Flowdeck.ini."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(app.account.settings_file, encoding="utf-8")
    return dict(ini["General"]) if ini.has_section("General") else {}


def background(app: Desktop, tmp_path: Path, name: str) -> int:
    """The brightness (0-255) of the workflows page's empty area, as the screen shows it."""
    from PySide6.QtGui import QImage

    shot = app.shot(tmp_path / name)
    return QImage(str(shot)).pixelColor(600, 500).lightness()


EDITOR_ICON = (25, 135, 30, 28)  # x, y, w, h of the Editor page's icon in the bar on the left


def bright_pixels(shot: Path, box: tuple[int, int, int, int]) -> int:
    """How many pixels of ``box`` in a screenshot are light (lightness over 150)."""
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    x0, y0, w, h = box
    return sum(image.pixelColor(x, y).lightness() > 150 for x in range(x0, x0 + w) for y in range(y0, y0 + h))


@pytest.mark.promise("app.md", "Settings")
def test_settings_switch_the_workspace_notify_and_start_at_login(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Settings are stored in ~/.config/Flowdeck/Flowdeck.ini; a new workspace folder is used at once (the old one's
    schedules stop); "when a run succeeds" notifies; the theme applies at once; "Start Flowdeck when I log in" writes
    ~/.config/autostart/io.github.flowdeck.Flowdeck.desktop, whose command (with "start minimised") starts Flowdeck
    in the tray without a window; unticking it removes the file."""
    old_ticks = tmp_path / "old.txt"
    product.write("ticker.yaml", ticker(old_ticks))
    elsewhere = product.home / "Automations"
    product.write("hello.yaml", HELLO, folder=elsewhere)
    app = started(xdisplay, product)
    try:
        assert wait_until(lambda: lines(old_ticks) >= 1), "the first workspace is armed"
        light = background(app, tmp_path, "light.png")
        dialog = settings_dialog(app)
        app.keys(dialog, "alt+w", "ctrl+a")
        app.type(dialog, str(elsewhere))
        app.keys(dialog, "alt+u", "alt+l", "alt+m", "alt+h", "d")  # succeeds, log in, minimised, theme: Dark
        app.shot(tmp_path / "settings.png")
        app.keys(dialog, "Return")  # Save
        app.wait_log(f"service restarted: workspace {elsewhere}")
        values = stored(app)
        assert values["workspace"] == str(elsewhere)
        assert (values["notify_success"], values["start_at_login"], values["start_minimized"], values["theme"]) == (
            "true",
            "true",
            "true",
            "dark",
        )
        assert app.account.autostart.exists()
        assert wait_until(lambda: background(app, tmp_path, "dark.png") < light - 100), "the window turns dark"
        assert bright_pixels(tmp_path / "dark.png", EDITOR_ICON) > 20, "the page icons are drawn light on dark"
        settled = lines(old_ticks)
        assert not wait_until(lambda: lines(old_ticks) > settled, timeout=3), "the old workspace is given up"
        app.tray_menu("r", "Return")  # Run ▸ lists the new folder's workflow: Hello
        app.wait_log("run finished: Hello succeeded")
        app.wait_for(app.popup_visible, "a success is notified")
        assert product.history()[0]["workflow"] == "Hello"
        assert app.quit() == 0
    finally:
        app.stop()

    entry = configparser.ConfigParser(interpolation=None)
    entry.read(app.account.autostart, encoding="utf-8")
    command = shlex.split(entry["Desktop Entry"]["Exec"])  # the desktop runs this at login
    assert "--autostart" in command
    login = Desktop(xdisplay, product, command=command)
    try:
        login.wait_log("started \\(in the tray\\)")
        login.wait_for(lambda: login.tray_icon() is not None, "the tray icon is embedded")
        assert "window made" not in login.log_text().split("bye")[-1], "no window at login"
        dialog = settings_dialog(login)
        login.keys(dialog, "alt+l", "Return")  # untick "Start Flowdeck when I log in", Save
        login.wait_for(lambda: not login.account.autostart.exists(), "the autostart file is removed")
        assert stored(login)["start_at_login"] == "false"
    finally:
        login.stop()
