"""Start at login: an XDG autostart file on Linux, an HKCU Run value on Windows, a LaunchAgent on macOS.

No Qt here: each backend is plain file or registry work, so its content can be tested on any platform.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Protocol

APP_ID = "io.github.flowdeck.Flowdeck"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Flowdeck"
AUTOSTART_FLAG = "--autostart"


def launch_command() -> list[str]:
    """How to start this Flowdeck again: the frozen executable, or this Python running the CLI module."""
    if getattr(sys, "frozen", False):
        return [sys.executable, AUTOSTART_FLAG]
    return [sys.executable, "-m", "gui", AUTOSTART_FLAG]  # the launcher (python -m engine has no app)


class Autostart(Protocol):
    def enable(self) -> None: ...

    def disable(self) -> None: ...

    def is_enabled(self) -> bool: ...


# -- Linux ---------------------------------------------------------------------------------------
_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _exec_quote(arg: str) -> str:
    """Quote one Exec argument as the Desktop Entry spec asks: double quotes, with \\ " ` $ escaped; % doubled."""
    arg = arg.replace("%", "%%")
    if arg and not (_EXEC_RESERVED & set(arg)):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def desktop_entry(command: list[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Flowdeck\n"
        "Comment=Run your Flowdeck automations in the background\n"
        f"Exec={' '.join(_exec_quote(a) for a in command)}\n"
        # the program itself: once it is removed (apt remove), desktops skip this entry instead of failing at login
        f"TryExec={command[0]}\n"  # a plain path, not an Exec line: no quoting
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
        "NoDisplay=false\n"
    )


class XdgAutostart:
    """~/.config/autostart/<app id>.desktop (XDG_CONFIG_HOME respected)."""

    def __init__(self, config_home: Path | None = None, command: list[str] | None = None) -> None:
        base = config_home or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        self.path = base / "autostart" / f"{APP_ID}.desktop"
        self.command = command or launch_command()

    def enable(self) -> None:
        from engine.io import atomic_write

        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, desktop_entry(self.command).encode())

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        return self.path.is_file()


# -- Windows -------------------------------------------------------------------------------------
def run_value(command: list[str]) -> str:
    """The HKCU Run value: the program always in double quotes (paths have spaces), arguments quoted as needed."""
    import subprocess

    rest = subprocess.list2cmdline(command[1:])
    return f'"{command[0]}"' + (f" {rest}" if rest else "")


class WindowsRunKey:
    """HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Flowdeck. ``registry`` is winreg (or alike)."""

    def __init__(self, command: list[str] | None = None, registry: object | None = None) -> None:
        self.command = command or launch_command()
        self._reg = registry

    @property
    def reg(self):  # -> winreg module
        if self._reg is None:
            import winreg  # only on Windows

            self._reg = winreg
        return self._reg

    def enable(self) -> None:
        reg = self.reg
        with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.SetValueEx(key, RUN_VALUE, 0, reg.REG_SZ, run_value(self.command))

    def disable(self) -> None:
        reg = self.reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, RUN_VALUE)
        except FileNotFoundError:
            pass

    def is_enabled(self) -> bool:
        reg = self.reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_READ) as key:
                reg.QueryValueEx(key, RUN_VALUE)
            return True
        except FileNotFoundError:
            return False


# -- macOS ---------------------------------------------------------------------------------------
def launch_agent(command: list[str]) -> bytes:
    import plistlib  # macOS only (the Linux bundle leaves out pyexpat, which plistlib reading needs)

    return plistlib.dumps(
        {
            "Label": APP_ID,
            "ProgramArguments": command,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        }
    )


class MacLaunchAgent:
    """~/Library/LaunchAgents/<app id>.plist, loaded by launchd at the next login."""

    def __init__(self, agents_dir: Path | None = None, command: list[str] | None = None) -> None:
        self.path = (agents_dir or Path.home() / "Library" / "LaunchAgents") / f"{APP_ID}.plist"
        self.command = command or launch_command()

    def enable(self) -> None:
        from engine.io import atomic_write

        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, launch_agent(self.command))

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        return self.path.is_file()


def for_platform(platform: str | None = None) -> Autostart:
    platform = platform or sys.platform
    if platform.startswith("win"):
        return WindowsRunKey()
    if platform == "darwin":
        return MacLaunchAgent()
    return XdgAutostart()
