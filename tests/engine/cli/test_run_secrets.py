"""``flowdeck run`` never shows a secret's value: not in its step lines, its error line, nor its --json record."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest

from engine.cli.main import main

SECRET = "pa55-run-cli-7f3e"  # a name and value of this file's own: the test keyring is shared by the process

OK_FLOW = """flowdeck: 1
name: Uses a secret
outputs: {token: "{{ vars.token }}"}
steps:
  keep:
    do: set
    with: {values: {token: "{{ secrets.run_cli_token }}"}}
    next: say
  say:
    do: log
    with: {message: "token is {{ secrets.run_cli_token }}"}
"""

FAIL_FLOW = """flowdeck: 1
name: Fails with a secret
steps:
  keep:
    do: set
    with: {values: {token: "{{ secrets.run_cli_token }}"}}
    next: boom
  boom:
    do: fail
    with: {message: "bad token {{ secrets.run_cli_token }}"}
"""


@pytest.fixture(autouse=True)
def _secret() -> None:
    keyring.set_password("flowdeck", "run_cli_token", SECRET)


def _run(tmp_path: Path, flow: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "wf.yaml"
    path.write_text(flow)
    code = main(["run", str(path), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_record_masks_outputs_steps_and_logs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(tmp_path, OK_FLOW, capsys, "--json")
    assert code == 0, err
    assert SECRET not in out and SECRET not in err
    record = json.loads(out)
    assert record["outputs"] == {"token": "•••"}
    assert record["steps"]["keep"] == {"values": {"token": "•••"}}
    assert "token is •••" in err  # the step lines go to stderr with --json


def test_json_record_masks_the_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(tmp_path, FAIL_FLOW, capsys, "--json")
    assert code == 1
    assert SECRET not in out and SECRET not in err
    assert json.loads(out)["error"]["message"] == "bad token •••"
    assert "error in step 'boom': bad token •••" in err


@pytest.mark.parametrize("flow", [OK_FLOW, FAIL_FLOW], ids=["succeeds", "fails"])
def test_plain_run_masks_every_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], flow: str) -> None:
    code, out, err = _run(tmp_path, flow, capsys)
    assert code == (0 if flow is OK_FLOW else 1)
    assert SECRET not in out and SECRET not in err
    assert "•••" in out + err


def test_history_of_a_cli_run_is_masked_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from engine.runtime.history import History, default_history_path

    code, out, _ = _run(tmp_path, FAIL_FLOW, capsys, "--json")
    assert code == 1
    run_id = json.loads(out)["run_id"]
    history = History(default_history_path())
    try:
        record = history.run(run_id)
    finally:
        history.close()
    assert record is not None and SECRET not in repr(record)
    assert record.error["message"] == "bad token •••"
