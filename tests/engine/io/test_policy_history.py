"""``policy.history`` (per-workflow retention): checked with file:line:col, frozen into the plan."""

from __future__ import annotations

import pytest

from engine.io import read_text
from engine.runtime.plan import compile_plan
from engine.runtime.records import Retention


def _file(history: str) -> str:
    head = "flowdeck: 1\nname: Kept\npolicy:\n  overlap: skip\n"
    return head + f"  history: {history}\nsteps:\n  a: {{do: log, with: {{message: hi}}}}\n"


def _errors(history: str) -> list[str]:
    _, problems = read_text(_file(history), "kept.yaml")
    return [str(p) for p in problems if p.is_error]


def test_good_values_are_accepted_and_frozen_into_the_plan() -> None:
    wf, problems = read_text(_file("{keep_runs: 3, keep_days: 7}"), "kept.yaml")
    assert wf is not None and not problems
    assert compile_plan(wf).history == Retention(keep_runs=3, keep_days=7)
    wf, _ = read_text(_file("{keep_days: 2}"), "kept.yaml")
    assert compile_plan(wf).history == Retention(keep_days=2)


@pytest.mark.parametrize(
    ("value", "shown"), [("0", "0"), ("-4", "-4"), ("2.5", "2.5"), ("true", "True"), ("lots", "'lots'")]
)
def test_a_bad_keep_runs_names_its_line_and_column(value: str, shown: str) -> None:
    # line 5 is '  history: {keep_runs: …}': the problem points at keep_runs itself (column 13)
    assert _errors(f"{{keep_runs: {value}}}") == [
        f"kept.yaml:5:13: policy.history.keep_runs: expected a positive whole number, got {shown}"
    ]


def test_a_bad_keep_days_names_its_position() -> None:
    assert _errors("{keep_runs: 5, keep_days: 0}") == [
        "kept.yaml:5:27: policy.history.keep_days: expected a positive whole number, got 0"
    ]


def test_an_unknown_key_suggests_the_known_one() -> None:
    found = _errors("{keep_run: 5}")
    assert len(found) == 1 and found[0].startswith("kept.yaml:5:13: ")
    assert "policy.history.keep_run: unknown setting — did you mean 'keep_runs'?" in found[0]


def test_history_must_be_a_mapping() -> None:
    assert _errors("30") == [
        "kept.yaml:5:3: policy.history: expected a mapping like {keep_runs: 50, keep_days: 7}, got 30"
    ]
