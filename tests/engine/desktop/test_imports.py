"""The desktop libraries are loaded only when a desktop block or trigger is used (start-up stays light)."""

import subprocess
import sys

HEAVY = ("Xlib", "mss", "PIL", "pytesseract", "jeepney", "pynput", "pywinauto", "Quartz", "pyudev", "psutil")


def test_import_engine_and_the_registry_load_no_desktop_library() -> None:
    code = (
        "import sys, engine, engine.cli.main, engine.io.validate, engine.scheduling.service;"
        "from engine.registry import default_registry; default_registry();"
        "import engine.desktop, engine.desktop.keys, engine.desktop.triggers;"
        f"bad = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
