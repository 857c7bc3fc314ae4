"""The .deb as Debian sees it: lintian, the systemd user unit, the documentation files, and the desktop entry opening
a workflow file the way a file manager does (gio launch with the file as %F)."""

from __future__ import annotations

import configparser
import gzip
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import APP_ID, Installed, app_env, wait_for
from tests.support.xdisplay import XDisplay

pytestmark = [pytest.mark.slow, pytest.mark.xdisplay, pytest.mark.timeout(900)]
ACCEPTED = {"dir-or-file-in-opt"}  # a self-contained bundle lives in /opt by design (docs/packaging.md)
UNIT = "usr/lib/systemd/user/flowdeck.service"


@pytest.mark.promise("packaging.md", "Debian's rules")
def test_lintian_finds_no_error_but_the_bundle_in_opt(installed: Installed) -> None:
    """lintian on the built .deb: the only error tag left is dir-or-file-in-opt."""
    if shutil.which("lintian") is None:
        pytest.fail("lintian is not installed; ./dev test installs it")
    out = subprocess.run(
        ["lintian", "--tag-display-limit", "0", str(installed.deb)], capture_output=True, text=True, timeout=300
    )
    tags = re.findall(r"^([EW]): flowdeck: (\S+)", out.stdout, re.M)
    errors = {tag for level, tag in tags if level == "E"} - ACCEPTED
    assert not errors, out.stdout[-6000:]
    assert "malformed" not in out.stdout and "unpack" not in out.stdout, out.stdout[-3000:]


@pytest.mark.promise("packaging.md", "Debian's rules")
def test_documentation_files_are_there(installed: Installed) -> None:
    """copyright (machine-readable, listing bundled components), changelog.gz, the man page made from the parser,
    and md5sums of every installed file."""
    doc = installed.root / "usr" / "share" / "doc" / "flowdeck"
    copyright_text = (doc / "copyright").read_text()
    assert copyright_text.startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
    for component in ("PySide6", "APScheduler", "Jinja2", "httpx", "PyYAML"):
        assert component in copyright_text
    assert "flowdeck (" in gzip.decompress((doc / "changelog.gz").read_bytes()).decode()
    man = gzip.decompress((installed.root / "usr/share/man/man1/flowdeck.1.gz").read_bytes()).decode()
    for command in ("run", "validate", "daemon", "history"):
        assert f'.SS "{command}"' in man
    sums = subprocess.run(["dpkg-deb", "--ctrl-tarfile", str(installed.deb)], capture_output=True, timeout=60).stdout
    listing = subprocess.run(["tar", "-t"], input=sums, capture_output=True, timeout=60).stdout.decode()
    assert "./md5sums" in listing


@pytest.mark.promise("packaging.md", "The daemon as a systemd user service")
def test_systemd_user_unit_is_shipped_and_valid(installed: Installed, tmp_path: Path) -> None:
    """The .deb ships flowdeck.service for the user manager: it starts the installed daemon, stops it with SIGTERM,
    restarts it on failure, and systemd-analyze verify finds nothing wrong with it."""
    unit = installed.root / UNIT
    listing = subprocess.run(["dpkg-deb", "-c", str(installed.deb)], capture_output=True, text=True, timeout=60)
    assert f"./{UNIT}" in listing.stdout
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(unit.read_text())
    service = parser["Service"]
    assert shlex.split(service["ExecStart"]) == ["/usr/bin/flowdeck", "daemon"]
    assert (service["KillSignal"], service["Restart"]) == ("SIGTERM", "on-failure")
    assert parser["Install"]["WantedBy"] == "default.target"
    if shutil.which("systemd-analyze") is None:
        return  # parsed above; verify needs systemd's tool
    moved = tmp_path / "flowdeck.service"  # the unit as installed, its program inside the unpacked root
    moved.write_text(unit.read_text().replace("/usr/bin/flowdeck", str(installed.launcher())))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    out = subprocess.run(
        ["systemd-analyze", "verify", "--user", "--man=no", str(moved)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0 and not out.stderr.strip(), out.stderr


@pytest.mark.promise("packaging.md", "Linux: `./dev package`")
def test_desktop_entry_opens_the_file_it_is_given(installed: Installed, xdisplay: XDisplay, tmp_path: Path) -> None:
    """gio launch starts the installed desktop entry with a workflow file (its %F), and the window shows that file;
    the package does not make itself the default YAML application."""
    share = installed.root / "usr" / "share"
    entry = share / "applications" / f"{APP_ID}.desktop"
    text = entry.read_text()
    assert "Exec=flowdeck %F" in text and "application/yaml;" in text
    assert not list(installed.root.rglob("mimeapps.list"))
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "flowdeck").symlink_to(installed.launcher())
    workflow = tmp_path / "opened-from-files.yaml"
    workflow.write_text("flowdeck: 1\nname: Opened\nsteps:\n  hi: {do: log, with: {message: hi}}\n")
    env = app_env(xdisplay, tmp_path / "home")
    env.update(PATH=f"{bindir}:{env['PATH']}", XDG_DATA_DIRS=f"{share}:/usr/share")
    errors = tmp_path / "gio.err"
    try:
        with errors.open("wb") as err:  # not a pipe: the app gio starts keeps its output streams open
            launch = subprocess.run(["gio", "launch", str(entry), str(workflow)], env=env, stderr=err, timeout=60)
        assert launch.returncode == 0, errors.read_text()
        assert wait_for(lambda: _window(env, f"^Flowdeck — {workflow.name}"), 60), "no window showed the file"
    finally:
        for pid in _pids_of(installed):
            os.kill(pid, 15)


def _window(env: dict[str, str], name: str) -> bool:
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name], env=env, capture_output=True)
    return bool(out.stdout.split())


def _pids_of(installed: Installed) -> list[int]:
    """The app processes started from this unpacked root (gio does not hand back the process it started)."""
    exe = str(installed.executable)
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if os.readlink(proc / "exe") == exe:
                found.append(int(proc.name))
        except OSError:
            pass
    return found
