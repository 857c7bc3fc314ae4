"""Block declarations and the registry, including third-party blocks through the entry point group."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.registry import DECLARED, Kind, Param, Registry, block, default_registry
from engine.registry.blocks import BlockType, DuplicateBlock


def _python_with_plugins(code: str, plugins: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that also sees the plugin distributions in ``plugins``."""
    env = {**os.environ, "PYTHONPATH": str(plugins)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)


def test_builtin_blocks_are_declared_once_with_help_and_category() -> None:
    registry = default_registry()
    assert {"log", "set", "program.run", "if", "for_each", "join"} <= {t.type for t in registry}
    for t in registry:
        assert t.title and t.category and t.help, t.type
        for p in t.params:
            assert p.help, f"{t.type}.{p.name} has no help"
            if p.kind is Kind.CHOICE:
                assert p.choices and (not p.has_default or p.default in p.choices)


def test_param_checks_by_kind() -> None:
    assert Param("n", Kind.INTEGER).check(3) is None
    assert "whole number" in Param("n", Kind.INTEGER).check(2.5)
    assert "true or false" in Param("b", Kind.BOOL).check("yes")
    assert Param("d", Kind.DURATION).check("1h30m") is None
    assert "duration" in Param("d", Kind.DURATION).check("soon")
    assert "one of" in Param("c", Kind.CHOICE, choices=("a", "b")).check("z")
    assert "at least 1" in Param("n", Kind.INTEGER, minimum=1).check(0)
    assert Param("n", Kind.INTEGER).check("{{ vars.n }}") is None  # templates are checked when rendered


def test_suggest_and_categories() -> None:
    registry = Registry([BlockType("file.write", "Write", "Files", "h"), BlockType("log", "Log", "Messages", "h")])
    assert registry.suggest("file.wirte") == "file.write"
    assert registry.suggest("zzz") is None
    assert list(registry.categories()) == ["Files", "Messages"]


def test_third_party_block_registers_through_entry_point(tmp_path: Path) -> None:
    """A package installed with a `flowdeck.blocks` entry point appears in the registry and validates."""
    (tmp_path / "acme_blocks.py").write_text(
        textwrap.dedent("""
        from engine.registry import Kind, Param, block

        @block("acme.shout", title="Shout", category="Acme", help="Upper-cases text.",
               params=[Param("text", Kind.TEXT, required=True, help="What to shout.")], outputs=["text"])
        def shout(ctx, text):
            return {"text": text.upper()}
    """)
    )
    dist = tmp_path / "acme_blocks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-blocks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[flowdeck.blocks]\nacme = acme_blocks\n")
    workflow = tmp_path / "wf.yaml"
    workflow.write_text("flowdeck: 1\nname: Acme\nsteps:\n  s:\n    do: acme.shout\n    with: {text: hi}\n")
    code = (
        "import sys; from engine.registry import default_registry; from engine.io import load_workflow;"
        "from engine.runtime import Engine; r = default_registry(); assert 'acme.shout' in r;"
        f"res = Engine().run(load_workflow({str(workflow)!r})); print(res.status, res.steps['s']['text'])"
    )
    env_path = f"{tmp_path}"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": env_path},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "succeeded HI"


def test_broken_plugin_does_not_take_flowdeck_down(tmp_path: Path) -> None:
    dist = tmp_path / "broken-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[flowdeck.blocks]\nbroken = no_such_module_here\n")
    code = "from engine.registry import default_registry; print('log' in default_registry())"
    done = _python_with_plugins(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert "block plugin 'broken' could not be loaded" in done.stderr


def test_a_second_module_cannot_take_a_declared_block_name() -> None:
    registry = default_registry()
    with pytest.raises(DuplicateBlock) as refused:
        block("file.write", title="Mine", category="Files & folders", help="Writes elsewhere.")(lambda ctx: {})
    assert str(refused.value) == (
        "block type 'file.write' is already declared by engine.blocks.files; "
        f"{__name__} cannot declare it again (give the block another name)"
    )
    assert DECLARED["file.write"].origin == "engine.blocks.files"
    assert registry["file.write"].origin == "engine.blocks.files"


def test_reimporting_a_block_module_stays_harmless() -> None:
    """A reload declares the module's blocks again from the same module: they replace their own declarations."""
    code = (
        "import importlib; from engine.registry import DECLARED, default_registry; default_registry();"
        "import engine.blocks.state as m; importlib.reload(m); print(DECLARED['state.get'].origin)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "engine.blocks.state"


def test_plugin_reusing_a_builtin_name_is_skipped_and_reported(tmp_path: Path) -> None:
    """A plugin declaring 'file.write' is reported like a broken plugin; none of its blocks are half-registered."""
    (tmp_path / "dupe_blocks.py").write_text(
        textwrap.dedent("""
        from engine.registry import block

        @block("dupe.hello", title="Hello", category="Dupe", help="Says hello.", outputs=["text"])
        def hello(ctx):
            return {"text": "hello"}

        @block("file.write", title="Write", category="Dupe", help="Not the real one.", outputs=["path"])
        def write(ctx):
            return {"path": "nowhere"}
    """)
    )
    dist = tmp_path / "dupe_blocks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: dupe-blocks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[flowdeck.blocks]\ndupe = dupe_blocks\n")
    code = (
        "from engine.registry import default_registry; r = default_registry();"
        "print(r['file.write'].origin, 'dupe.hello' in r, len(r) > 30)"
    )
    done = _python_with_plugins(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "engine.blocks.files False True"
    assert (
        "block plugin 'dupe' could not be loaded: block type 'file.write' is already declared by "
        "engine.blocks.files; dupe_blocks cannot declare it again" in done.stderr
    )


def test_lists_and_mappings_written_in_the_file_where_a_parameter_takes_them() -> None:
    from engine.registry.params import Kind, Param

    paths = Param("path", Kind.PATH, many=True)
    assert paths.check(["a.txt", "b.txt"]) is None
    assert paths.check([]) == "expected a path or a list of paths, got an empty list"
    assert paths.check(["a.txt", {"x": 1}]) == "item 2: expected text, got a mapping"
    assert Param("path", Kind.PATH).check(["a.txt"]) == "expected text, got a list"  # one path only
    content = Param("content", Kind.MULTILINE, data=True)
    assert content.check({"a": [1, 2]}) is None and content.check([1]) is None
    assert Param("message", Kind.TEXT).check({"a": 1}) == "expected text, got a mapping"
