"""`flowdeck run` records to the history; `flowdeck history` lists, shows and clears runs (real CLI subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    out = dict(os.environ)
    out["XDG_DATA_HOME"] = str(tmp_path / "data")
    return out


def flowdeck(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, env=env, timeout=60)


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"flowdeck: 1\nname: {name}\nsteps:\n{body}")
    return path


def test_run_records_then_history_lists_shows_and_clears(tmp_path: Path, env: dict[str, str]) -> None:
    good = _write(tmp_path, "Good", "  hello: {do: log, with: {message: 'hi {{ vars.who }}'}}\n")
    bad = _write(tmp_path, "Bad", "  f: {do: fail, with: {message: 'it broke'}}\n")
    ran = flowdeck(env, "run", str(good), "--var", "who=Ada")
    assert ran.returncode == 0, ran.stderr
    assert "hello" in ran.stdout and "succeeded" in ran.stdout
    failed = flowdeck(env, "run", str(bad))
    assert failed.returncode == 1 and "it broke" in failed.stdout
    assert flowdeck(env, "run", str(good), "--no-history", "--var", "who=Bo").returncode == 0

    listed = flowdeck(env, "history")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 2 and "failed" in lines[0] and "it broke" in lines[0] and "succeeded" in lines[1]
    only_failed = flowdeck(env, "history", "--status", "failed", "--json")
    runs = json.loads(only_failed.stdout)
    assert [r["workflow"] for r in runs] == ["Bad"]
    good_id = lines[1].split()[0]
    shown = flowdeck(env, "history", "--run", good_id)
    assert shown.returncode == 0
    assert "hello [log] succeeded" in shown.stdout and "hi Ada" in shown.stdout and str(good) in shown.stdout

    assert flowdeck(env, "history", "--run", "nosuchrun").returncode == 1
    cleared = flowdeck(env, "history", "--clear", "Bad")
    assert "deleted 1 run" in cleared.stdout
    assert len(flowdeck(env, "history").stdout.strip().splitlines()) == 1


def test_corrupt_history_does_not_stop_a_run(tmp_path: Path, env: dict[str, str]) -> None:
    folder = tmp_path / "data" / "flowdeck"
    folder.mkdir(parents=True)
    (folder / "history.sqlite3").write_bytes(b"garbage" * 1000)
    good = _write(tmp_path, "Good", "  a: {do: log, with: {message: x}}\n")
    ran = flowdeck(env, "run", str(good))
    assert ran.returncode == 0 and "damaged" in ran.stderr
    assert list(folder.glob("history.sqlite3.corrupt-*"))
    assert "succeeded" in flowdeck(env, "history").stdout
