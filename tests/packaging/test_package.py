"""End to end: build the bundle and the .deb, install the .deb into a temporary root, and use what it installed.

The build runs once per session (about 1.5 minutes on two cores). The installed app is started the way a desktop
starts it: from the .desktop file's Exec line, with /usr and /opt rewritten to the temporary root.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.conftest import APP_ID, ROOT, Installed, app_env, wait_for
from tests.support.xdisplay import XDisplay

pytestmark = [pytest.mark.slow, pytest.mark.xdisplay, pytest.mark.timeout(900)]


def windows(env: dict[str, str], *args: str) -> list[str]:
    out = subprocess.run(["xdotool", "search", *args], env=env, capture_output=True, text=True, timeout=30)
    return out.stdout.split()


def parent_of(env: dict[str, str], window: str) -> str | None:
    out = subprocess.run(["xwininfo", "-children", "-id", window], env=env, capture_output=True, text=True, timeout=30)
    for line in out.stdout.splitlines():
        if "Parent window id:" in line and "(the root window)" not in line:
            parent = line.split("Parent window id:")[1].split()[0]
            return parent if int(parent, 16) else None
    return None  # reached the root window (or the window is gone)


def embedded_in_tray(env: dict[str, str], window: str, tray_windows: set[int]) -> bool:
    """Whether trayer (a real XEmbed tray) has reparented this window into one of its own."""
    current: str | None = window
    for _ in range(10):
        current = parent_of(env, current) if current else None
        if current is None:
            return False
        if int(current, 16) in tray_windows:
            return True
    return False


@pytest.fixture
def started(installed: Installed, xdisplay: XDisplay, tray_host: subprocess.Popen, tmp_path: Path) -> Iterator:
    env = app_env(xdisplay, tmp_path)
    proc = subprocess.Popen(
        installed.desktop_command(), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    yield proc, env
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.mark.promise("packaging.md", "Linux: `./dev package`")
def test_installed_tree_has_launcher_desktop_file_and_icons(installed: Installed) -> None:
    """The .deb installs the bundle under /opt/flowdeck, a launcher in /usr/bin, the desktop entry (validated), the
    AppStream metainfo and the hicolor icons, declares the libraries Qt needs in Depends and what some blocks use in
    Recommends."""
    share = installed.root / "usr" / "share"
    assert os.access(installed.root / "usr" / "bin" / "flowdeck", os.X_OK)
    assert os.access(installed.executable, os.X_OK)
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    for size in (16, 32, 48, 128, 256, 512):
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").stat().st_size > 100
    check = subprocess.run(["desktop-file-validate", str(share / "applications" / f"{APP_ID}.desktop")], timeout=60)
    assert check.returncode == 0
    control = subprocess.run(["dpkg-deb", "-f", str(installed.deb), "Depends"], capture_output=True, text=True)
    for lib in ("libegl1", "libxkbcommon-x11-0", "libxcb-cursor0", "libfontconfig1", "zlib1g", "libssl3"):
        assert lib in control.stdout
    recommends = subprocess.run(["dpkg-deb", "-f", str(installed.deb), "Recommends"], capture_output=True, text=True)
    assert recommends.stdout.split() == ["fonts-dejavu-core,", "python3,", "xdg-utils,", "tesseract-ocr"]
    internal = installed.executable.parent / "_internal"
    assert not (internal / "libz.so.1").exists()  # Debian's copy (Depends: zlib1g), not a bundled one
    assert not (internal / "libgtk-3.so.0").exists()  # no binary of the bundle needs GTK: left out
    assert list(internal.glob("libpython3*.so*"))  # the bundled Python stays


@pytest.mark.promise("packaging.md", "Linux: `./dev package`")
def test_version_from_the_installed_launcher(installed: Installed, tmp_path: Path) -> None:
    """The installed launcher `flowdeck --version` runs the bundle and prints its version."""
    import engine

    out = subprocess.run([str(installed.launcher()), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"flowdeck {engine.__version__}"


@pytest.mark.promise("packaging.md", "Inside the bundle")
def test_bundle_runs_the_bundled_example_headless(installed: Installed, tmp_path: Path) -> None:
    """The bundle carries the example workflows and runs them headless through the installed launcher."""
    example = installed.root / "opt" / "flowdeck" / "_internal" / "resources" / "examples" / "hello.yaml"
    assert example.is_file()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    out = subprocess.run(
        [str(installed.executable), "run", str(example)], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Hello, world!" in out.stdout
    assert "Ran on Linux" in out.stdout  # program.run worked and its output reached the template


@pytest.mark.promise("packaging.md", "Inside the bundle")
def test_bundled_daemon_runs_triggers_and_stops_on_sigterm(installed: Installed, tmp_path: Path) -> None:
    """The bundled daemon runs a workflow's trigger in a run process of its own and stops on SIGTERM."""
    ws, mark = tmp_path / "ws", tmp_path / "ran.txt"
    ws.mkdir()
    (ws / "tick.yaml").write_text(  # the run writes the process id of the process it ran in
        "flowdeck: 1\nname: Tick\ntriggers:\n  - startup: {}\nsteps:\n"
        "  pid: {do: program.run, with: {command: [sh, -c, 'echo $PPID']}, next: mark}\n"
        f"  mark: {{do: file.write, with: {{path: '{mark}', content: '{{{{ steps.pid.stdout | trim }}}}'}}}}\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"))
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    cmd = [str(installed.executable), "daemon", str(ws), "--port", "0", "--grace", "2"]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: mark.exists() and mark.read_text().strip(), 60), "the startup trigger never ran"
        runner = int(mark.read_text())
        assert runner != proc.pid and proc.pid in _ancestors(runner)  # a run process of the bundled daemon
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert (tmp_path / "data" / "flowdeck" / "history.sqlite3").is_file()


def _ancestors(pid: int) -> list[int]:
    found = []
    while pid > 1:
        status = Path(f"/proc/{pid}/status").read_text()
        pid = int(next(line for line in status.splitlines() if line.startswith("PPid:")).split()[1])
        found.append(pid)
    return found


@pytest.mark.promise("packaging.md", "Inside the bundle")
def test_bundle_finds_every_block_and_command(installed: Installed) -> None:
    """Blocks and CLI commands are found with pkgutil at run time; the bundle must carry all of them."""
    bundled = subprocess.run([str(installed.executable), "blocks"], capture_output=True, text=True, timeout=60)
    source = subprocess.run(
        [sys.executable, "-c", "from engine.cli.main import entry; entry()", "blocks"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bundled.returncode == 0, bundled.stderr
    assert bundled.stdout == source.stdout
    helps = subprocess.run([str(installed.executable), "--help"], capture_output=True, text=True, timeout=60)
    for cmd in (ROOT / "engine" / "cli").glob("cmd_*.py"):
        assert cmd.stem[4:] in helps.stdout


@pytest.mark.promise("packaging.md", "The test")
def test_desktop_entry_opens_window_and_tray_icon(started, installed: Installed) -> None:
    """Started from the .desktop file's Exec line, the installed app shows its window and its tray icon."""
    proc, env = started
    # The main window's title is "Flowdeck — <workflow>"; the tray icon's own window is named "Flowdeck" only.
    shown = wait_for(lambda: bool(windows(env, "--onlyvisible", "--name", "^Flowdeck — ")), 60)
    if not shown:
        proc.terminate()
        pytest.fail(f"no Flowdeck window appeared; app output:\n{proc.communicate(timeout=15)[0][-4000:]}")
    assert proc.poll() is None
    tray = {int(w) for w in windows(env, "--class", "trayer")}
    assert tray, "trayer is not running on the test display"

    def icon_embedded() -> bool:
        return any(embedded_in_tray(env, w, tray) for w in windows(env, "--class", "flowdeck"))

    assert wait_for(icon_embedded, 30), "Flowdeck's tray icon was not embedded in the tray"
