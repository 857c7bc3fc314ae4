"""Shared by the packaging tests: the bundle and the .deb, built once per session and unpacked into a temporary root.

Every test here is marked ``xdisplay`` (see each module's ``pytestmark``), so that the whole of tests/packaging runs in
the one serial pass of the suite and the build happens once.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.xdisplay import XDisplay

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.flowdeck.Flowdeck"


@dataclass
class Installed:
    root: Path  # the unpacked .deb
    deb: Path

    @property
    def executable(self) -> Path:
        return self.root / "opt" / "flowdeck" / "flowdeck"

    def launcher(self) -> Path:
        """/usr/bin/flowdeck as installed, pointed at the temporary root instead of /opt."""
        text = (self.root / "usr" / "bin" / "flowdeck").read_text()
        assert "/opt/flowdeck/flowdeck" in text, text
        moved = self.root / "launcher-in-root"
        moved.write_text(text.replace("/opt/flowdeck/", f"{self.root}/opt/flowdeck/"))
        moved.chmod(0o755)
        return moved

    def desktop_command(self) -> list[str]:
        """The .desktop file's Exec line, field codes dropped, the program resolved inside the root."""
        entry = self.root / "usr" / "share" / "applications" / f"{APP_ID}.desktop"
        exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
        words = [w for w in shlex.split(exec_line.removeprefix("Exec=")) if not w.startswith("%")]
        assert words[0] == "flowdeck", exec_line
        assert (self.root / "usr" / "bin" / "flowdeck").exists()
        return [str(self.launcher()), *words[1:]]


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build (or, with FLOWDECK_PACKAGE_DIST=DIR, take the .deb already built in DIR) and unpack it."""
    work = tmp_path_factory.mktemp("package")
    dist = Path(os.environ.get("FLOWDECK_PACKAGE_DIST") or work / "dist")
    if not os.environ.get("FLOWDECK_PACKAGE_DIST"):
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        build = subprocess.run(
            [sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(dist), "--build", str(work)],
            env=env,
            capture_output=True,
            text=True,
            timeout=840,
        )
        assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    debs = list(dist.glob("flowdeck_*.deb"))
    assert len(debs) == 1, debs
    root = work / "root"
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(root)], check=True, timeout=120)
    return Installed(root, debs[0])


def app_env(xdisplay: XDisplay, home: Path) -> dict[str, str]:
    env = xdisplay.env()
    env.pop("PYTHON_KEYRING_BACKEND", None)  # the test suite's in-memory keyring is not in the bundle
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    env["HOME"] = str(home)
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state")):
        env[var] = str(home / sub)
    env["XDG_RUNTIME_DIR"] = str(home / "runtime")
    (home / "runtime").mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def wait_for(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False
