"""Programs a workflow starts from the bundle get the person's environment, not the bundle's libraries and plugins."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import Installed, app_env, wait_for
from tests.support.xdisplay import XDisplay

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
  open: {do: open, with: {target: "%s"}, next: env}
  env: {do: file.write, with: {path: env.txt, content: "%s"}}
"""
# What a workflow reads as {{ env }}: the person's LD_LIBRARY_PATH (or none), then the whole environment.
ENV_TEMPLATE = "{{ env.LD_LIBRARY_PATH | default('none') }}\\n{{ env | tojson }}"
FAKE_OPENER = '#!/bin/sh\ncat /proc/$$/environ > "%s"\n'


def _environ(raw: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)


@pytest.mark.promise("packaging.md", "Programs started from the bundle")
def test_programs_get_the_session_environment(installed: Installed, tmp_path: Path) -> None:
    """program.run's child (its /proc/PID/environ and ldd), python.run's interpreter and the opener open uses see
    LD_LIBRARY_PATH and QT_PLUGIN_PATH as the person set them, and no _PYI_ markers of the bundle; so does the
    workflow's own {{ env }}."""
    bindir, opened = tmp_path / "bin", tmp_path / "opener-environ"
    bindir.mkdir()
    (bindir / "xdg-open").write_text(FAKE_OPENER % opened)
    (bindir / "xdg-open").chmod(0o755)
    (tmp_path / "w.yaml").write_text(WORKFLOW % (tmp_path / "w.yaml", ENV_TEMPLATE))
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
    library_path, seen = (tmp_path / "env.txt").read_text().split("\n", 1)
    assert library_path == person["LD_LIBRARY_PATH"]
    _assert_session(json.loads(seen), bundle, person)


def _assert_session(env: dict[str, str], bundle: str, person: dict[str, str]) -> None:
    """The person's values of ``person``'s variables (absent ones stay absent), no bundle path, no bundle marker."""
    assert {k: env.get(k) for k in ("LD_LIBRARY_PATH", "QT_PLUGIN_PATH")} == {
        k: person.get(k) for k in ("LD_LIBRARY_PATH", "QT_PLUGIN_PATH")
    }, env
    assert not [k for k in env if k.startswith(("_PYI_", "_FLOWDECK_", "_MEI")) or k.endswith("_ORIG")], env
    assert bundle not in json.dumps(env), env


APP_WORKFLOW = """\
flowdeck: 1
name: Opens at start
triggers:
  - startup: {}
steps:
  env: {do: file.write, with: {path: "%s", content: "%s"}, next: open}
  open: {do: open, with: {target: "%s"}}
"""


@pytest.mark.promise("packaging.md", "Programs started from the bundle")
def test_the_bundled_app_opens_files_and_reads_env_in_the_session_environment(
    installed: Installed, xdisplay: XDisplay, tray_host: subprocess.Popen, tmp_path: Path
) -> None:
    """In the bundled app, a workflow's {{ env }} and the opener its open step starts (xdg-open, as the desktop's
    default program would be started) see the person's environment, not the bundle's libraries and Qt plugins."""
    bindir, opened, seen = tmp_path / "bin", tmp_path / "opener-environ", tmp_path / "env.txt"
    report = tmp_path / "r.txt"
    bindir.mkdir()
    (bindir / "xdg-open").write_text(FAKE_OPENER % opened)
    (bindir / "xdg-open").chmod(0o755)
    report.write_text("numbers")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "start.yaml").write_text(APP_WORKFLOW % (seen, ENV_TEMPLATE, report))
    env = app_env(xdisplay, tmp_path)
    env.pop("LD_LIBRARY_PATH", None)
    env.pop("QT_PLUGIN_PATH", None)
    env["PATH"] = f"{bindir}:{env['PATH']}"
    ini = tmp_path / "config" / "Flowdeck" / "Flowdeck.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(f"[General]\nwebhook_port=0\nworkspace={ws}\n")
    output = tmp_path / "app-output.txt"
    with output.open("w") as out:
        proc = subprocess.Popen([str(installed.executable)], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        ran = wait_for(lambda: opened.exists() and opened.stat().st_size > 0 and seen.exists(), 60)
        assert ran, f"the startup run did not open the file; app output:\n{output.read_text()[-3000:]}"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    bundle = str(installed.root / "opt")
    library_path, read = seen.read_text().split("\n", 1)
    assert library_path == "none"  # the person had none; the bundle's own is not shown
    _assert_session(json.loads(read), bundle, {})
    _assert_session(_environ(opened.read_text()), bundle, {})
