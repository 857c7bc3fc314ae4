"""The engine never imports Qt nor the GUI: it must run headless on a server, and the arrow runs gui → engine only."""

import ast
import subprocess
import sys
from pathlib import Path

import engine


def test_import_engine_leaves_qt_out() -> None:
    code = (
        "import sys, engine, engine.io, engine.runtime, engine.registry, engine.cli.main;"
        "from engine.cli.main import build_parser; build_parser();"
        "from engine.registry import default_registry; default_registry();"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'gui')));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def _imported(tree: ast.AST) -> list[str]:
    """Every module an ``import`` or ``from … import`` names, wherever it stands (in a function too)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            names += [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return names


def test_no_module_under_engine_imports_qt_or_gui() -> None:
    root = Path(engine.__file__).parent
    offenders = [
        f"{path.relative_to(root.parent)}: {name}"
        for path in sorted(root.rglob("*.py"))
        for name in _imported(ast.parse(path.read_text("utf-8"), str(path)))
        if name.split(".")[0] in ("gui", "PySide6", "shiboken6")
    ]
    assert offenders == []
