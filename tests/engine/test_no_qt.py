"""The engine never imports Qt: it must run headless on a server."""

import subprocess
import sys


def test_import_engine_leaves_qt_out() -> None:
    code = (
        "import sys, engine, engine.io, engine.runtime, engine.registry, engine.cli.main;"
        "from engine.registry import default_registry; default_registry();"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'gui')));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_qt_import_anywhere_under_engine() -> None:
    from pathlib import Path

    import engine

    root = Path(engine.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if any(word in p.read_text("utf-8") for word in ("import PySide6", "from PySide6", "from gui", "import gui"))
        and p.name != "main.py"  # the CLI opens the app lazily with 'from gui.app import main'
    ]
    assert offenders == []
