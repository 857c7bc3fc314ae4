"""Loading workflow files: positions, problems, the examples."""

from __future__ import annotations

from pathlib import Path

import pytest

import resources
from engine.io import WorkflowError, load_workflow, read_text

GOOD = """\
flowdeck: 1
name: Daily report
triggers:
  - schedule: {cron: "0 8 * * mon-fri"}
vars:
  out_dir: ~/Reports
steps:
  greet:
    do: log
    with: {message: "hi {{ vars.out_dir }}"}
    retry: {attempts: 3, backoff: 5s}
    timeout: 30s
    next: done
    on_error: alert
  done:
    do: log
    with: {message: done}
  alert:
    do: log
    with: {message: "{{ error.message }}", level: error}
layout:
  greet: [0, 0]
  done: [240, 0]
"""


def test_loads_model_with_values_as_written() -> None:
    wf, problems = read_text(GOOD, "daily.yaml")
    assert [p for p in problems if p.is_error] == []
    assert wf is not None
    assert wf.name == "Daily report"
    assert list(wf.steps) == ["greet", "done", "alert"]
    greet = wf.steps["greet"]
    assert greet.do == "log"
    assert greet.timeout == "30s"
    assert greet.retry == {"attempts": 3, "backoff": "5s"}
    assert greet.next == {"next": ["done"]}
    assert greet.on_error == "alert"
    assert wf.triggers[0].kind == "schedule"
    assert wf.triggers[0].options == {"cron": "0 8 * * mon-fri"}
    assert wf.layout == {"greet": [0, 0], "done": [240, 0]}


def test_positions_point_at_what_was_written() -> None:
    wf, _ = read_text(GOOD, "daily.yaml")
    assert wf.position("steps", "greet") == (8, 3)
    assert wf.position("steps", "greet", "timeout") == (12, 5)
    assert wf.position("steps", "done", "with", "message") == (17, 12)
    # an unknown path falls back to its nearest written ancestor
    assert wf.position("steps", "greet", "with", "nothing") == (10, 5)


def test_problems_name_file_line_column_and_path() -> None:
    text = GOOD.replace("do: log\n    with: {message: done}", "do: lgo\n    with: {message: done}")
    _, problems = read_text(text, "daily.yaml")
    errors = [str(p) for p in problems if p.is_error]
    assert errors == ["daily.yaml:16:5: steps.done.do: unknown block 'lgo' — did you mean 'log'?"]


def test_several_problems_reported_at_once() -> None:
    text = GOOD.replace("next: done", "next: dnoe").replace("timeout: 30s", "timeout: forever")
    _, problems = read_text(text, "daily.yaml")
    messages = [p.message for p in problems if p.is_error]
    assert any("'dnoe', which is not a step — did you mean 'done'?" in m for m in messages)
    assert any("steps.greet.timeout" in m for m in messages)


def test_load_workflow_raises_with_every_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("flowdeck: 1\nname: x\nsteps:\n  a: {do: nope}\n  b: {do: log}\n")
    with pytest.raises(WorkflowError) as info:
        load_workflow(path)
    assert len(info.value.problems) >= 2
    assert all(p.file == str(path) and p.line for p in info.value.problems)


def test_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    from engine.io import read_file

    wf, problems = read_file(tmp_path / "nope.yaml")
    assert wf is None
    assert "no such file" in str(problems[0])


def test_templates_skip_static_type_checks() -> None:
    text = GOOD.replace("{message: done}", '{message: done, level: "{{ vars.level }}"}')
    _, problems = read_text(text, "x.yaml")
    assert [p for p in problems if p.is_error] == []


def test_extension_keys_are_kept_and_not_errors() -> None:
    text = "x-editor: {zoom: 2}\n" + GOOD.replace("    timeout: 30s\n", "    timeout: 30s\n    x-note: mine\n")
    wf, problems = read_text(text, "x.yaml")
    assert [p for p in problems if p.is_error] == []
    assert wf.extra == {"x-editor": {"zoom": 2}}
    assert wf.steps["greet"].extra == {"x-note": "mine"}


@pytest.mark.parametrize("path", sorted(resources.EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_validates(path: Path) -> None:
    from engine.io import read_file

    wf, problems = read_file(path)
    assert wf is not None
    assert [str(p) for p in problems] == []


def test_there_are_examples() -> None:
    assert len(list(resources.EXAMPLES.glob("*.yaml"))) >= 1


def test_yaml_11_boolean_words_stay_text_as_keys() -> None:
    """``on:`` is a key name (retry's ``on``), not the boolean YAML 1.1 would make of it; values keep YAML's reading."""
    wf, problems = read_text(
        "flowdeck: 1\nname: Keys\nvars:\n  yes: 1\n  off: on\nsteps:\n  a:\n    do: log\n    with: {message: hi}\n"
        "    retry: {attempts: 2, on: [http]}\n"
    )
    assert problems == []
    assert wf is not None
    assert wf.steps["a"].retry == {"attempts": 2, "on": ["http"]}
    assert wf.vars == {"yes": 1, "off": True}
