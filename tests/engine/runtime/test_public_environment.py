"""The environment a run reads as ``env`` (engine.runtime.secrets.public_environment): kept between runs, made
again when os.environ changes, never holding a secret variable."""

from __future__ import annotations

import pytest

from engine.io import read_text
from engine.runtime import Engine
from engine.runtime.secrets import _taken, public_environment

FLOW = """flowdeck: 1
name: env
steps:
  a: {do: set, with: {values: {seen: "{{ env.FLOWDECK_TEST_VALUE | default('none') }}"}}}
"""


def _seen(engine: Engine) -> str:
    wf, problems = read_text(FLOW, "env.yaml")
    assert wf is not None and not [p for p in problems if p.is_error], problems
    result = engine.run(wf)
    assert result.status == "succeeded", result.error
    return result.steps["a"]["values"]["seen"]


def test_a_change_of_the_environment_reaches_the_next_run(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine()
    monkeypatch.setenv("FLOWDECK_TEST_VALUE", "one")
    assert _seen(engine) == "one"
    assert _seen(engine) == "one"  # kept: the same copy is handed out again
    monkeypatch.setenv("FLOWDECK_TEST_VALUE", "two")
    assert _seen(engine) == "two"
    monkeypatch.delenv("FLOWDECK_TEST_VALUE")
    assert _seen(engine) == "none"
    engine.shutdown(5)


def test_each_caller_gets_a_copy_and_secrets_stay_out(monkeypatch: pytest.MonkeyPatch) -> None:
    first = public_environment()
    first["FLOWDECK_TEST_VALUE"] = "changed by a caller"
    assert "FLOWDECK_TEST_VALUE" not in public_environment()
    monkeypatch.setenv("FLOWDECK_SECRET_LATE_ONE", "hunter2")  # set after the copy was kept
    try:
        env = public_environment()
        assert "FLOWDECK_SECRET_LATE_ONE" not in env and "hunter2" not in env.values()
        assert _taken["FLOWDECK_SECRET_LATE_ONE"] == "hunter2"
    finally:
        _taken.pop("FLOWDECK_SECRET_LATE_ONE", None)
