"""Programs a workflow starts from the bundle get the person's environment, not the bundle's libraries and plugins."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import Installed

pytestmark = [pytest.mark.slow, pytest.mark.xdisplay, pytest.mark.timeout(900)]

WORKFLOW = """\
flowdeck: 1
name: Children
steps:
  environ: {do: program.run, with: {command: [cat, /proc/self/environ]}, next: libs}
  libs: {do: program.run, with: {command: [ldd, /usr/bin/gio]}, next: python}
  python:
    do: python.run
    with: {code: "import os; result = {k: v for k, v in os.environ.items() if 'PATH' in k or k.startswith('_')}"}
    next: open
  open: {do: open, with: {target: "%s"}}
"""
FAKE_OPENER = '#!/bin/sh\ncat /proc/$$/environ > "%s"\n'


def _environ(raw: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)


@pytest.mark.promise("packaging.md", "Programs started from the bundle")
def test_programs_get_the_session_environment(installed: Installed, tmp_path: Path) -> None:
    """program.run's child (its /proc/PID/environ and ldd), python.run's interpreter and the opener open uses see
    LD_LIBRARY_PATH and QT_PLUGIN_PATH as the person set them, and no _PYI_ markers of the bundle."""
    bindir, opened = tmp_path / "bin", tmp_path / "opener-environ"
    bindir.mkdir()
    (bindir / "xdg-open").write_text(FAKE_OPENER % opened)
    (bindir / "xdg-open").chmod(0o755)
    (tmp_path / "w.yaml").write_text(WORKFLOW % (tmp_path / "w.yaml"))
    person = {"LD_LIBRARY_PATH": str(tmp_path / "my-libs"), "QT_PLUGIN_PATH": str(tmp_path / "my-plugins")}
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_PLUGIN_PATH")}
    env.update(person, PATH=f"{bindir}:{env['PATH']}", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    out = subprocess.run(
        [str(installed.executable), "run", "--json", "--no-history", "w.yaml"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    steps = json.loads(out.stdout[out.stdout.index("{") :])["steps"]
    bundle = str(installed.root / "opt")
    child = _environ(steps["environ"]["stdout"])
    assert {k: child.get(k) for k in person} == person
    assert not [k for k in child if k.startswith(("_PYI_", "_FLOWDECK_")) or k.endswith("_ORIG")], child
    assert bundle not in "".join(child.values())
    assert bundle not in steps["libs"]["stdout"]  # gio's glib, libmount... come from the system
    interpreter = steps["python"]["result"]
    assert {k: interpreter.get(k) for k in person} == person and bundle not in json.dumps(interpreter)
    assert opened.is_file(), "the fake xdg-open was not run"
    opener = _environ(opened.read_text())
    assert {k: opener.get(k) for k in person} == person and bundle not in "".join(opener.values())
