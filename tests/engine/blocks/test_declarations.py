"""Every block is declared completely and consistently, and loading them stays cheap."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest

from engine.registry import MISSING, BlockType, default_registry

CATEGORIES = {"Files & folders", "Programs", "Web", "Data", "Messages", "Desktop", "State", "Control"}
EXPECTED = {
    "file.read", "file.write", "file.copy", "file.move", "file.delete", "file.list", "folder.create", "file.zip",
    "file.unzip", "file.info", "program.run", "python.run", "open", "http.request", "http.download", "http.changed",
    "json.parse", "json.format", "json.query", "csv.read", "csv.write", "text.template", "regex.match",
    "regex.replace", "set", "datetime", "email.send", "notify", "clipboard.read", "clipboard.write", "log",
    "state.get", "state.set", "state.increment",
}  # fmt: skip
BLOCKS = [t for t in default_registry() if t.origin.startswith("engine.blocks.") and t.run is not None]


def test_every_expected_block_exists() -> None:
    missing = EXPECTED - {t.type for t in default_registry()}
    assert not missing


@pytest.mark.parametrize("block", BLOCKS, ids=lambda t: t.type)
def test_declaration_is_complete(block: BlockType) -> None:
    assert re.fullmatch(r"[a-z]+(\.[a-z_]+)?", block.type)
    assert block.category in CATEGORIES
    assert block.icon not in ("", "block") and re.fullmatch(r"[a-z-]+", block.icon)
    assert block.help.endswith(".") and len(block.help) > 30
    assert block.outputs, "later steps need to know what the block gives"
    for p in block.params:
        assert p.help, f"{block.type}.{p.name} has no help"
        if p.has_default and p.default not in (None, ""):
            assert p.check(p.default) is None, f"{block.type}.{p.name}: default does not fit its kind"
    if block.params:
        assert block.summary in block.param_names


@pytest.mark.parametrize("block", BLOCKS, ids=lambda t: t.type)
def test_run_function_matches_parameters(block: BlockType) -> None:
    signature = inspect.signature(block.run)
    names = [n for n in signature.parameters if n != "ctx"]
    assert sorted(names) == sorted(block.param_names)
    for p in block.params:
        has_python_default = signature.parameters[p.name].default is not inspect.Parameter.empty
        assert has_python_default == (p.default is not MISSING), p.name


def test_loading_blocks_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\nfrom engine.registry import default_registry\ndefault_registry()\n"
        "print(' '.join(m for m in ('httpx', 'jmespath', 'smtplib', 'ssl', 'send2trash', 'mimetypes', 'sqlite3')"
        " if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_palette_order_of_categories() -> None:
    order = list(default_registry().categories())
    assert order == ["Files & folders", "Programs", "Web", "Data", "Messages", "Desktop", "State", "Control"]
