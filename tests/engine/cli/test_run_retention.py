"""``flowdeck run`` prunes the history with the workflow's own ``policy.history`` after each run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.runtime.history import History, default_history_path

FLOW = """flowdeck: 1
name: CLI keeps three
policy: {history: {keep_runs: 3}}
steps:
  a: {do: log, with: {message: hi}}
"""


def test_five_cli_runs_of_a_keep_three_workflow_leave_three(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "three.yaml"
    path.write_text(FLOW)
    ids = []
    for _ in range(5):
        assert main(["run", str(path), "--json"]) == 0
        ids.append(json.loads(capsys.readouterr().out)["run_id"])
    history = History(default_history_path())
    try:
        kept = [r.run_id for r in history.runs("CLI keeps three")]
    finally:
        history.close()
    assert kept == ids[:1:-1]
