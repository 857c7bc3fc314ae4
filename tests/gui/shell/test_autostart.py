"""Start at login: the XDG file for real, the Windows Run value and the macOS LaunchAgent by their content."""

from __future__ import annotations

import configparser
import plistlib
import shlex
import subprocess
from pathlib import Path

import pytest

from gui.shell.autostart import (
    APP_ID,
    AUTOSTART_FLAG,
    MacLaunchAgent,
    XdgAutostart,
    desktop_entry,
    for_platform,
    launch_command,
    run_value,
)


def test_xdg_autostart_file_is_written_and_removed(tmp_path: Path) -> None:
    backend = XdgAutostart(config_home=tmp_path)
    assert not backend.is_enabled()
    backend.enable()
    path = tmp_path / "autostart" / f"{APP_ID}.desktop"
    assert backend.is_enabled() and path.is_file()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(path)
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Name"] == "Flowdeck"
    assert shlex.split(section["Exec"]) == launch_command()
    backend.disable()
    assert not path.exists() and not backend.is_enabled()
    backend.disable()  # disabling twice is fine


def test_xdg_default_location_follows_xdg_config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert XdgAutostart().path == tmp_path / "autostart" / f"{APP_ID}.desktop"
    assert isinstance(for_platform("linux"), XdgAutostart)


def test_desktop_entry_quotes_awkward_paths() -> None:
    text = desktop_entry(["/opt/My Apps/py$thon", "-m", "engine", "100%", AUTOSTART_FLAG])
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line == 'Exec="/opt/My Apps/py\\$thon" -m engine 100%% --autostart'


def test_desktop_entry_is_inert_once_the_program_is_gone() -> None:
    """TryExec names the program itself (unquoted: it is a path, not an Exec line), so after the package is removed
    the desktop skips the entry instead of failing at every login."""
    text = desktop_entry(["/opt/My Apps/flowdeck", AUTOSTART_FLAG])
    assert "TryExec=/opt/My Apps/flowdeck" in text.splitlines()


def test_desktop_entry_passes_desktop_file_validate(tmp_path: Path) -> None:
    path = tmp_path / f"{APP_ID}.desktop"
    path.write_text(desktop_entry(["/usr/bin/flowdeck", AUTOSTART_FLAG]))
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_windows_run_value_quotes_the_program() -> None:
    cmd = [r"C:\Program Files\Flowdeck\Flowdeck.exe", AUTOSTART_FLAG]
    assert run_value(cmd) == r'"C:\Program Files\Flowdeck\Flowdeck.exe" --autostart'
    assert run_value([r"C:\Flowdeck\Flowdeck.exe"]) == r'"C:\Flowdeck\Flowdeck.exe"'


def test_mac_launch_agent_plist(tmp_path: Path) -> None:
    agent = MacLaunchAgent(
        agents_dir=tmp_path, command=["/Applications/Flowdeck.app/Contents/MacOS/Flowdeck", "--autostart"]
    )
    agent.enable()
    data = plistlib.loads((tmp_path / f"{APP_ID}.plist").read_bytes())
    assert data["Label"] == APP_ID
    assert data["ProgramArguments"] == ["/Applications/Flowdeck.app/Contents/MacOS/Flowdeck", "--autostart"]
    assert data["RunAtLoad"] is True
    agent.disable()
    assert not agent.is_enabled()


class _Registry:
    """The few winreg calls WindowsRunKey makes, over a dict (there is no registry on this machine)."""

    HKEY_CURRENT_USER, KEY_SET_VALUE, KEY_READ, REG_SZ = "HKCU", 2, 1, 1

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, str], tuple[int, str]] = {}

    class _Key:
        def __init__(self, root: str, sub: str) -> None:
            self.where = (root, sub)

        def __enter__(self) -> _Registry._Key:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def CreateKeyEx(self, root: str, sub: str, _reserved: int, _access: int) -> _Key:
        return self._Key(root, sub)

    def OpenKey(self, root: str, sub: str, _reserved: int, _access: int) -> _Key:
        return self._Key(root, sub)

    def SetValueEx(self, key: _Key, name: str, _reserved: int, kind: int, value: str) -> None:
        self.values[(*key.where, name)] = (kind, value)

    def QueryValueEx(self, key: _Key, name: str) -> tuple[str, int]:
        if (*key.where, name) not in self.values:
            raise FileNotFoundError(name)
        kind, value = self.values[(*key.where, name)]
        return value, kind

    def DeleteValue(self, key: _Key, name: str) -> None:
        if self.values.pop((*key.where, name), None) is None:
            raise FileNotFoundError(name)


def test_windows_run_key_writes_and_deletes_the_value() -> None:
    from gui.shell.autostart import RUN_KEY, WindowsRunKey

    reg = _Registry()
    key = WindowsRunKey(command=[r"C:\Program Files\Flowdeck\Flowdeck.exe", "--autostart"], registry=reg)
    assert not key.is_enabled()
    key.enable()
    assert reg.values == {
        ("HKCU", RUN_KEY, "Flowdeck"): (reg.REG_SZ, r'"C:\Program Files\Flowdeck\Flowdeck.exe" --autostart')
    }
    assert key.is_enabled()
    key.disable()
    assert not key.is_enabled() and reg.values == {}
    key.disable()
