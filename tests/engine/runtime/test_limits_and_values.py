"""The step limit that stops a runaway run, what python.run code sees of the run, and template fast paths."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest

from engine.errors import StepError
from engine.io import read_text
from engine.runtime import Engine
from engine.runtime.history import History
from engine.runtime.templates import render
from tests.engine.runtime.conftest import load


def test_runaway_repeat_is_stopped_by_max_steps_naming_limit_and_step(engine: Engine) -> None:
    wf = load(
        """flowdeck: 1
name: Runaway
policy: {max_steps: 50}
vars: {n: 0}
steps:
  again: {do: repeat, with: {max: 1000000}, next: {body: count}}
  count: {do: set, with: {values: {n: "{{ vars.n + 1 }}"}}}
"""
    )
    result = engine.run(wf)
    assert result.status == "failed"
    message = result.error["message"]
    assert result.error["kind"] == "limit"
    assert "more than 50 steps (policy.max_steps)" in message and "at step 'count'" in message
    assert result.error["step"] == "count"
    assert result.steps["count"]["values"]["n"] == 49  # 'again' was step 1; 'count' ran 49 times before the limit


def test_default_step_limit_is_not_hit_by_an_ordinary_loop(engine: Engine) -> None:
    wf = load(
        """flowdeck: 1
name: Ordinary
steps:
  each: {do: for_each, with: {items: 300}, next: {body: one}}
  one: {do: set, with: {values: {last: "{{ loop.item }}"}}}
"""
    )
    result = engine.run(wf)
    assert result.ok, result.error
    assert result.steps["one"]["values"] == {"last": 299}


def _python_flow(folder: Path) -> str:
    text = """flowdeck: 1
name: Peek
vars: {city: Lyon}
steps:
  login:
    do: set
    with: {values: {token_used: "{{ secrets.api_token | length }}"}}
    next: each
  each: {do: for_each, with: {items: [a]}, next: {body: peek}}
  peek:
    do: python.run
    with:
      code: |
        import json
        result = {
            "names": sorted(k for k in dir() if k in ("vars", "steps", "trigger", "run", "loop", "secrets", "env")),
            "city": vars["city"], "login": steps["login"], "workflow": run["workflow"],
            "item": loop["item"], "source": trigger.get("source"), "everything": json.dumps(
                {"vars": vars, "steps": steps, "trigger": trigger, "run": run, "loop": loop}, default=str),
        }
"""
    (folder / "peek.yaml").write_text(text, "utf-8")
    return text


def test_python_code_sees_vars_steps_trigger_run_loop_and_never_secrets(tmp_path: Path) -> None:
    keyring.set_password("flowdeck", "api_token", "s3cr3t-value-42")
    try:
        wf, problems = read_text(_python_flow(tmp_path), str(tmp_path / "peek.yaml"))
        assert wf is not None and not [p for p in problems if p.is_error], problems
        wf.source = tmp_path / "peek.yaml"
        history = History(tmp_path / "h.sqlite3")
        engine = Engine(workers=1, history=history)
        try:
            result = engine.run(wf, trigger={"source": "test-trigger"})
        finally:
            engine.shutdown(2)
    finally:
        keyring.delete_password("flowdeck", "api_token")
    assert result.ok, result.error
    seen = result.steps["peek"]["result"]
    assert seen["names"] == ["loop", "run", "steps", "trigger", "vars"]
    assert seen["city"] == "Lyon" and seen["workflow"] == "Peek" and seen["item"] == "a"
    assert seen["login"] == {"values": {"token_used": 15}} and seen["source"] == "test-trigger"
    assert "s3cr3t-value-42" not in seen["everything"]
    reopened = History(tmp_path / "h.sqlite3")
    try:
        record = reopened.run(result.run_id)
    finally:
        reopened.close()
    assert record is not None and "s3cr3t-value-42" not in json.dumps([s.output for s in record.steps], default=str)


def test_context_values_hold_the_loop_of_the_steps_own_round(engine: Engine) -> None:
    wf = load(
        """flowdeck: 1
name: Rounds
vars: {k: 1}
steps:
  each: {do: for_each, with: {items: [x, y]}, next: {body: peek}}
  peek:
    do: python.run
    with:
      code: |
        names = sorted(globals().keys() & {"vars", "steps", "trigger", "run", "loop", "secrets", "env"})
        result = [names, loop["item"], loop["index"], vars["k"]]
"""
    )
    result = engine.run(wf)
    assert result.ok, result.error
    names = ["loop", "run", "steps", "trigger", "vars"]
    assert result.steps["each"]["results"] == [
        {"result": [names, "x", 0, 1], **_rest(result.steps["each"]["results"][0])},
        {"result": [names, "y", 1, 1], **_rest(result.steps["each"]["results"][1])},
    ]


def _rest(output: dict) -> dict:
    return {k: v for k, v in output.items() if k != "result"}


@pytest.mark.parametrize("expr", ["vars.n", "vars.d.x", "vars.items", "vars.nope", "nope", "vars.nope.x",
                                  "vars.n.__class__", "steps.a", "loop.item"])  # fmt: skip
def test_dotted_name_fast_path_matches_jinja(expr: str) -> None:
    """``{{ a.b }}`` is looked up without a Jinja context; ``{{ (a.b) }}`` goes through Jinja: same value or error."""
    ctx = {"vars": {"n": 3, "d": {"x": [1]}, "items": [4]}, "steps": {}, "loop": {"item": 7}}

    def outcome(source: str) -> object:
        try:
            return render(source, ctx, "w")
        except StepError as exc:
            return str(exc).replace(source, "…")

    fast, slow = outcome("{{ " + expr + " }}"), outcome("{{ (" + expr + ") }}")
    assert fast == slow
