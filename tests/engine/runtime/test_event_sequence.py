"""The events of one small run, in order and with their payloads, as a plain listener gets them."""

from __future__ import annotations

from engine.runtime import Engine
from engine.runtime import events as ev
from tests.engine.runtime.conftest import load

FLOW = """flowdeck: 1
name: Events
vars: {who: Ada}
steps:
  greet: {do: set, with: {values: {name: "{{ vars.who | upper }}"}}, next: say}
  say: {do: log, with: {message: "hello {{ vars.name }}", level: warning}, next: end}
  end: {do: fail, with: {message: "no more for {{ vars.name }}"}}
"""


def test_events_of_a_run_in_order_with_rendered_inputs_outputs_and_the_failure(engine: Engine) -> None:
    seen: list[ev.Event] = []
    engine.subscribe(seen.append)
    result = engine.run(load(FLOW), source="test")
    engine.bus.flush()
    assert [(e.kind, e.step) for e in seen] == [
        (ev.RUN_STARTED, None),
        (ev.STEP_STARTED, "greet"),
        (ev.STEP_FINISHED, "greet"),
        (ev.STEP_STARTED, "say"),
        (ev.LOG, "say"),
        (ev.STEP_FINISHED, "say"),
        (ev.STEP_STARTED, "end"),
        (ev.STEP_FAILED, "end"),
        (ev.RUN_FINISHED, None),
    ]
    assert {(e.run_id, e.workflow) for e in seen} == {(result.run_id, "Events")}
    assert [e.time for e in seen] == sorted(e.time for e in seen)
    started, greet_in, greet_out, say_in, log, say_out, end_in, failed, finished = (e.data for e in seen)
    assert started["source"] == "test" and started["trigger"] == {}
    assert greet_in == {"block": "set", "inputs": {"values": {"name": "ADA"}}, "attempt": 1}
    assert greet_out["output"] == {"values": {"name": "ADA"}} and greet_out["port"] == "next"
    assert greet_out["attempts"] == 1 and greet_out["duration"] >= 0
    assert say_in["inputs"] == {"message": "hello ADA", "level": "warning"}
    assert log == {"message": "hello ADA", "level": "warning"}
    assert say_out["output"] == {"message": "hello ADA"}
    assert end_in == {"block": "fail", "inputs": {"message": "no more for ADA"}, "attempt": 1}
    assert failed["error"] == "no more for ADA" and failed["kind"] == "fail"
    assert failed["handled"] is False and failed["attempts"] == 1
    assert finished["status"] == "failed" and finished["outputs"] == {}
    assert finished["error"] == {"message": "no more for ADA", "kind": "fail", "step": "end"}
    assert finished["duration"] == result.duration
