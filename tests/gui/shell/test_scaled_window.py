"""At 200 % (QT_SCALE_FACTOR=2) on a 1366×768 screen (683×384 logical) the first window fits the screen and the
side panels leave a canvas one can work in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.xdisplay import start_xvfb

pytestmark = pytest.mark.xdisplay
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("size", ["1366x768", "1280x800"])
def test_the_first_window_fits_a_200_percent_screen_with_a_usable_canvas(tmp_path: Path, size: str) -> None:
    x = start_xvfb(f"{size}x24")
    try:
        env = x.env(
            QT_QPA_PLATFORM="xcb",
            QT_SCALE_FACTOR="2",
            PYTHONPATH=str(ROOT),
            HOME=str(tmp_path),
            XDG_CONFIG_HOME=str(tmp_path / "config"),
            XDG_DATA_HOME=str(tmp_path / "data"),
            XDG_STATE_HOME=str(tmp_path / "state"),
        )
        done = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("scaled_window.py"))],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        seen = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        x.proc.terminate()
        x.proc.wait(10)
    (sw, sh), (ww, wh) = seen["screen"], seen["window"]
    assert (sw, sh) == tuple(int(v) // 2 for v in size.split("x"))
    assert ww <= sw and wh <= sh, f"the window {ww}×{wh} runs past the screen {sw}×{sh}"
    cw, ch = seen["canvas"]
    assert cw >= 0.35 * ww and ch >= 0.6 * wh, f"the canvas is {cw}×{ch} of a {ww}×{wh} window"
    assert seen["canvas_corner"][0] <= ww and seen["canvas_corner"][1] <= wh
