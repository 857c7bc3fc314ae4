"""Templates are checked before they run: syntax, steps, outputs, vars, loop, error, workflow.run files."""

from __future__ import annotations

from pathlib import Path

import pytest

import resources
from engine.io import read_file, read_text
from engine.io.expressions import CONTEXT_NAMES
from engine.io.problems import Problem

HEAD = "flowdeck: 1\nname: T\n"


def problems(body: str, name: str = "t.yaml") -> list[Problem]:
    wf, found = read_text(HEAD + body, name)
    assert wf is not None, found
    return found


def messages(body: str, severity: str | None = None) -> list[str]:
    return [p.message for p in problems(body) if severity is None or p.severity == severity]


def test_syntax_error_is_an_error_at_the_value() -> None:
    found = problems("vars: {greeting: hi}\nsteps:\n  a:\n    do: log\n    with: {message: '{{ vars.greeting }'}\n")
    [p] = found
    assert p.is_error and (p.line, p.col) == (7, 12)
    assert p.message == "steps.a.with.message: expression syntax error: unexpected '}' in '{{ vars.greeting }'"


def test_missing_step_is_an_error_with_a_did_you_mean() -> None:
    body = (
        "steps:\n  save:\n    do: file.write\n    with: {path: /tmp/x, content: hi}\n    next: tell\n"
        "  tell:\n    do: log\n    with: {message: 'saved {{ steps.sav.path }}'}\n"
    )
    assert messages(body) == ["steps.tell.with.message: steps.sav: there is no step 'sav' — did you mean 'save'?"]


def test_a_step_read_before_it_can_have_run_is_a_warning() -> None:
    body = (
        "steps:\n  start:\n    do: log\n    with: {message: go}\n    next: [a, b]\n"
        "  a:\n    do: log\n    with: {message: '{{ steps.b.message }}'}\n"
        "  b:\n    do: log\n    with: {message: b}\n"
    )
    found = problems(body)
    assert [(p.severity, p.message) for p in found] == [
        ("warning", "steps.a.with.message: steps.b is read by step a, which can run before b")
    ]


def test_undeclared_var_is_a_warning_with_a_did_you_mean() -> None:
    body = "vars: {greeting: hi}\nsteps:\n  a:\n    do: log\n    with: {message: '{{ vars.greting }}'}\n"
    [p] = problems(body)
    assert p.severity == "warning"
    assert "vars.greting is not declared under vars: or set by a set step — did you mean 'greeting'?" in p.message


def test_unknown_output_is_an_error_with_a_did_you_mean() -> None:
    body = (
        "steps:\n  fetch:\n    do: http.request\n    with: {url: 'http://127.0.0.1:9/'}\n    next: show\n"
        "  show:\n    do: log\n    with: {message: '{{ steps.fetch.jsn.total }}'}\n"
    )
    [message] = messages(body)
    assert message.startswith(
        "steps.show.with.message: steps.fetch.jsn: http.request has no output 'jsn' — did you mean 'json'?"
    )


def test_loop_outside_a_loop_body_and_error_outside_an_error_route_are_errors() -> None:
    body = "steps:\n  a:\n    do: log\n    with: {message: '{{ loop.item }} {{ error.message }}'}\n"
    found = messages(body)
    assert found == [
        "steps.a.with.message: loop is only set in the body of a for_each or repeat step; step a is not in one",
        "steps.a.with.message: error is only set on an error route (the steps after on_error: <step>, "
        "or on_failure); step a is not on one",
    ]


def test_unknown_name_is_an_error_naming_what_expressions_can_read() -> None:
    [message] = messages("steps:\n  a:\n    do: log\n    with: {message: '{{ step.a }}'}\n")
    assert message == (
        "steps.a.with.message: 'step' is not defined — did you mean 'steps'? "
        "(known: vars, steps, trigger, env, secrets, now, run, error, loop)"
    )


VALID = """\
vars: {folder: /tmp, n: 3}
on_failure: cleanup
steps:
  list:
    do: file.list
    with: {folder: "{{ vars.folder }}"}
    next: each
  each:
    do: for_each
    with: {items: "{{ steps.list.files }}"}
    next: {body: show, done: again}
  show:
    do: log
    with: {message: "{{ loop.item }} {{ loop.index }} of {{ loop.length }} {{ steps.list.count }}"}
  again:
    do: repeat
    with: {while: "{{ loop.index < vars.n }}", max: 5}
    next: {body: tick, done: fork}
  tick:
    do: set
    with: {values: {seen: "{{ loop.index }}"}}
  fork:
    do: log
    with: {message: "{{ steps.each.results | length }} {{ vars.seen }} {{ steps.show.message }}"}
    next: [left, right]
  left:
    do: http.request
    with: {url: "http://127.0.0.1:9/"}
    on_error: handle
    next: meet
  right:
    do: log
    with:
      message: >-
        {{ steps.missing | default('none') }} {{ steps.left.jsn | default(1) }}
        {{ steps.left.json if steps.left is defined }}
    next: meet
  handle:
    do: log
    with: {message: "{{ error.message }} {{ error.kind }} {{ steps.left.error.message }}"}
  meet:
    do: join
    next: last
  last:
    do: log
    with:
      message: >-
        {% for f in steps.list.files %}{{ f }} {{ loop.index }}{% endfor %}
        {{ steps.left.json.keys() | list }} {{ steps.right.message | upper }} {{ now | date('%Y') }}
        {{ (now + timedelta(hours=1)) | string }} {{ trigger.path | default('') }} {{ env.HOME }}
        {{ run.id }} {{ steps['meet'].branches }} {% set total = 1 %}{{ total }} {{ range(3) | list }}
  cleanup:
    do: log
    with: {message: "{{ error.message }} after {{ steps.last.message }}"}
outputs: {count: "{{ steps.list.count }}"}
"""


def test_valid_expressions_are_not_flagged() -> None:
    assert problems(VALID) == []


@pytest.mark.parametrize("name", sorted(p.name for p in Path(resources.__file__).parent.joinpath("examples").iterdir()))
def test_examples_have_no_problems(name: str) -> None:
    _, found = read_file(Path(resources.__file__).parent / "examples" / name)
    assert found == []


def test_context_names_are_what_a_run_gives_its_templates() -> None:
    from engine.runtime.executor import Run
    from engine.runtime.plan import compile_plan
    from engine.runtime.scope import Scope

    wf, _ = read_text(HEAD + "steps:\n  a: {do: log, with: {message: hi}}\n")
    run = Run(compile_plan(wf))
    assert set(run.template_context(Scope(run))) == set(CONTEXT_NAMES)


def test_workflow_run_file_and_inputs_are_checked(tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text(HEAD + "vars: {name: x}\nsteps:\n  s: {do: log, with: {message: hi}}\n")
    parent = tmp_path / "parent.yaml"
    parent.write_text(
        HEAD + "steps:\n  a:\n    do: workflow.run\n    with: {path: child.yaml, inputs: {nme: 1}}\n    next: b\n"
        "  b:\n    do: workflow.run\n    with: {path: chld.yaml}\n"
    )
    _, found = read_file(parent)
    assert [(p.severity, p.line, p.message) for p in found] == [
        (
            "warning",
            6,
            "steps.a.with.inputs.nme: child.yaml does not declare the var 'nme' — did you mean 'name'? "
            "(its vars: name)",
        ),
        (
            "warning",
            10,
            f"steps.b.with.path: there is no workflow file 'chld.yaml' (looked for {tmp_path / 'chld.yaml'}); "
            "the step fails unless it is made",
        ),
    ]


def test_a_default_guards_the_last_name_only_as_the_run_does() -> None:
    """`steps.maybe.json | default(...)` fails at run time when there is no step maybe: it is flagged."""
    body = "steps:\n  a:\n    do: log\n    with: {message: \"{{ steps.maybe.json | default('') }}\"}\n"
    assert messages(body) == ["steps.a.with.message: steps.maybe: there is no step 'maybe'"]
    wf, _ = read_text(HEAD + body, "t.yaml", check=False)
    from engine.runtime.executor import Run
    from engine.runtime.plan import compile_plan

    result = Run(compile_plan(wf, check=False)).execute()
    assert result.status == "failed" and "'maybe' is not defined" in result.error["message"]
