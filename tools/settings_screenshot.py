"""Render the Settings dialog with "Run desktop jobs for a broker" switched on, for docs/app.md and docs/scaling.md.

.venv/bin/python tools/settings_screenshot.py [--dark] [--out FOLDER]
# docs/images/settings-worker.png (-dark with --dark; QT_SCALE_FACTOR=2 for 200 %: name the --out folder)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HOME"] = "/home/ann"  # the picture shows a person's folder, not this machine's
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    from gui.shell.settings import Settings
    from gui.shell.settings_dialog import SettingsDialog
    from gui.shell.theme import apply_theme

    dark = "--dark" in argv
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    apply_theme(app, "dark" if dark else "light")
    settings = Settings(workspace="/home/ann/Flowdeck", broker_worker=True, broker_url="redis://machine-a:6379/0",
                        broker_tags="office", broker_workers=1)  # fmt: skip
    dialog = SettingsDialog(settings)
    dialog.show()
    app.processEvents()
    name = "settings-worker-dark.png" if dark else "settings-worker.png"
    dialog.grab().save(str(out / name))
    print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
