"""What every run's start takes: the environment it reads as ``env`` (engine.runtime.secrets.public_environment:
kept between runs, made again when os.environ changes, never holding a secret variable) and its run id."""

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


def test_run_ids_are_unique_and_not_shared_with_a_forked_child() -> None:
    """Run ids are read ahead from the OS's random source; a forked process gets fresh ones, never its parent's
    next ids (two processes writing one history would otherwise give two runs the same id)."""
    import os

    from engine.runtime.executor import new_run_id

    ids = {new_run_id() for _ in range(2000)}
    assert len(ids) == 2000 and all(len(i) == 12 and int(i, 16) >= 0 for i in ids)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its first ids, then gone
        os.write(write, ",".join(new_run_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = set(os.read(read, 65536).decode().split(","))
    os.close(read)
    parent = {new_run_id() for _ in range(50)}
    assert len(child) == 50 and not child & parent
