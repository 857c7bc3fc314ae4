"""Render the tray menu with Run ▸ open and two recent runs, for docs/app.md.

    .venv/bin/python tools/tray_screenshot.py [OUT.png] [--whole]   # docs/images/tray.png (--whole: the screen too)

Needs Xvfb and trayer (as the X tests do): the real app runs in a fresh account with the shipped examples, runs
two of them from the tray, and the bottom right of the screen is grabbed with the menu open.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIZE = (1280, 800)
CROP = (730, 596, 550, 204)  # x, y, width, height: the menu and its Run ▸ over the tray in the bottom right corner


def main(argv: list[str]) -> int:
    from PySide6.QtGui import QImage

    from tests.e2e.desktop import started
    from tests.support.product import Product
    from tests.support.xdisplay import start_xvfb

    out = Path(argv[0]) if argv and argv[0] != "--whole" else ROOT / "docs" / "images" / "tray.png"
    x = start_xvfb(f"{SIZE[0]}x{SIZE[1]}x24")
    tray = subprocess.Popen(
        ["trayer", "--edge", "bottom", "--align", "right", "--widthtype", "request", "--height", "32"],
        env=x.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    product = Product(Path(tempfile.mkdtemp(prefix="flowdeck-tray-")))
    try:
        for example in sorted((ROOT / "resources" / "examples").glob("*.yaml")):
            product.write(example.name, example.read_text())
        app = started(x, product, "--minimized", window=False)
        try:
            runs = [(("Down",) * 4, "Hello Flowdeck succeeded"), ((), "Check and email on failure failed")]
            for n, (keys, finished) in enumerate(runs, start=1):
                app.tray_menu("r", *keys, "Return")
                app.wait_log(f"run finished: {finished}")
                app.wait_for(lambda n=n: app.log_text().count("run finished: ") == n, f"{n} runs finished")
            app.wait_for(lambda: not app.popup_visible(), "the failure's balloon goes", 30)
            time.sleep(1)
            app.tray_menu("r")  # Run ▸ open, the recent runs below
            time.sleep(1)
            screen = out.with_name("tray-screen.png") if "--whole" in argv else Path(tempfile.mkdtemp()) / "s.png"
            whole = app.shot(screen)
            QImage(str(whole)).copy(*CROP).save(str(out))
            print(f"wrote {out}")
        finally:
            app.xdo("key", "Escape")
            app.stop()
    finally:
        product.close()
        tray.terminate()
        x.proc.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
