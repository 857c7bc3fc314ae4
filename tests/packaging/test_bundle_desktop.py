"""The Desktop screen blocks work from the bundle: it carries mss, Pillow and pytesseract (docs/desktop.md)."""

from __future__ import annotations

import json
import os
import struct
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import Installed
from tests.support.xdisplay import XDisplay

pytestmark = [pytest.mark.slow, pytest.mark.xdisplay, pytest.mark.timeout(900)]

WORKFLOW = """\
flowdeck: 1
name: Shots
steps:
  shot: {do: screen.shot, with: {path: shot.png, x: 0, y: 0, width: 40, height: 30}, next: find}
  find: {do: screen.find, with: {image: shot.png}}
"""


@pytest.mark.promise("packaging.md", "Inside the bundle")
def test_the_bundled_screenshot_block_writes_a_png(installed: Installed, xdisplay: XDisplay, tmp_path: Path) -> None:
    """Under X, the bundle's screen.shot saves a 40x30 PNG of the screen and screen.find finds it there again."""
    (tmp_path / "w.yaml").write_text(WORKFLOW)
    env = {**os.environ, **xdisplay.env(), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    out = subprocess.run(
        [str(installed.executable), "run", "--json", "--no-history", "w.yaml"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    png = (tmp_path / "shot.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (40, 30)  # the IHDR's width and height
    steps = json.loads(out.stdout[out.stdout.index("{") :])["steps"]
    assert steps["find"]["found"] is True and steps["find"]["width"] == 40
