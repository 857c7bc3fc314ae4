"""APScheduler is imported by engine/scheduling/jobs.py and nothing else in engine/ (the issue's rule)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[3] / "engine"
OWNER = ENGINE / "scheduling" / "jobs.py"


def _names_apscheduler(tree: ast.AST) -> bool:
    """An import of apscheduler, or a string naming it (importlib.import_module("apscheduler...") counts too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "apscheduler" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "apscheduler":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("apscheduler"):
            return True
    return False


def test_only_jobs_imports_apscheduler() -> None:
    files = sorted(ENGINE.rglob("*.py"))
    assert OWNER in files and len(files) > 50
    importers = [f.relative_to(ENGINE.parent) for f in files if _names_apscheduler(ast.parse(f.read_bytes()))]
    assert importers == [OWNER.relative_to(ENGINE.parent)]


def test_the_checker_sees_each_form_of_import() -> None:
    for source in (
        "import apscheduler",
        "from apscheduler.triggers.cron import CronTrigger",
        "def f():\n    from apscheduler import events",
        "import importlib\nimportlib.import_module('apscheduler.schedulers.background')",
    ):
        assert _names_apscheduler(ast.parse(source)), source
    assert not _names_apscheduler(ast.parse("import aps\nfrom engine.scheduling import jobs"))


def test_describing_and_checking_triggers_does_not_load_apscheduler() -> None:
    """The GUI describes and validates triggers on its thread: those modules must stay cheap to import."""
    code = (
        "import sys, engine.scheduling.describe, engine.io.triggers, engine.scheduling.hook_request\n"
        "print(sorted(m for m in sys.modules if m.startswith('apscheduler')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ENGINE.parent)
    assert out.stdout.strip() == "[]"
