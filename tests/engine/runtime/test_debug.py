"""Debug runs (engine.runtime.debug): start at a step with a past run's outputs, one step alone, pinned outputs,
breakpoints with continue / step / run to / stop, in a thread and across the run-process boundary."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from engine.io import load_workflow
from engine.runtime import Engine
from engine.runtime import events as ev
from engine.runtime.debug import Debug, seed_from_steps
from engine.runtime.pins import load_pins, pin, pins_file, unpin

CHAIN = """flowdeck: 1
name: Chain
vars: {{greeting: hi}}
steps:
  first:
    do: file.write
    with: {{path: "{out}/first.txt", content: one}}
    next: second
  second:
    do: log
    with: {{message: "{{{{ vars.greeting }}}} {{{{ steps.first.path | default('none') }}}}"}}
    next: third
  third:
    do: file.write
    with: {{path: "{out}/third.txt", content: "{{{{ steps.second.message }}}}"}}
"""
LOOP = """flowdeck: 1
name: Loop
steps:
  each:
    do: for_each
    with: {items: [a, b, c]}
    next: {body: shout}
  shout:
    do: log
    with: {message: "{{ loop.item }}"}
"""


class Paused:
    """Collects run_paused events; ``wait()`` for the n-th."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []
        self.cond = threading.Condition()

    def __call__(self, event: ev.Event) -> None:
        if event.kind == ev.RUN_PAUSED:
            with self.cond:
                self.events.append(event)
                self.cond.notify_all()

    def wait(self, n: int, timeout: float = 20) -> ev.Event:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.events) >= n, timeout), self.events
            return self.events[n - 1]


@pytest.fixture(params=["thread", "process"])
def engine(request: pytest.FixtureRequest):
    eng = Engine(workers=2, isolation=request.param)
    yield eng
    eng.shutdown(grace=2)


def _chain(tmp_path: Path):
    path = tmp_path / "chain.yaml"
    path.write_text(CHAIN.format(out=tmp_path), encoding="utf-8")
    return load_workflow(path)


def test_run_from_a_step_takes_the_earlier_outputs_from_a_past_run(engine: Engine, tmp_path: Path) -> None:
    wf = _chain(tmp_path)
    seed = seed_from_steps(engine.plan(wf), "second", {"first": {"path": "/earlier/first.txt"}, "third": {"x": 1}})
    assert seed == {"first": {"path": "/earlier/first.txt"}}  # third runs again: not taken from the past run
    result = engine.run(wf, debug=Debug(start="second", seed=seed))
    assert result.ok, result.error
    assert not (tmp_path / "first.txt").exists()  # the step before was not run again
    assert (tmp_path / "third.txt").read_text() == "hi /earlier/first.txt"


def test_one_step_alone_runs_nothing_after_it(engine: Engine, tmp_path: Path) -> None:
    debug = Debug(start="second", only=True, seed={"first": {"path": "P"}})
    result = engine.run(_chain(tmp_path), debug=debug, source="step")
    assert result.ok, result.error
    assert result.steps == {"first": {"path": "P"}, "second": {"message": "hi P"}}
    assert not (tmp_path / "first.txt").exists() and not (tmp_path / "third.txt").exists()


def test_a_pinned_step_is_not_run_and_its_pin_is_what_follows_sees(engine: Engine, tmp_path: Path) -> None:
    seen: list[ev.Event] = []
    engine.subscribe(lambda e: seen.append(e) if e.step == "first" else None)
    result = engine.run(_chain(tmp_path), debug=Debug(pins={"first": {"output": {"path": "PINNED"}}}))
    assert result.ok, result.error
    assert not (tmp_path / "first.txt").exists()
    assert (tmp_path / "third.txt").read_text() == "hi PINNED"
    engine.bus.flush()
    finished = [e for e in seen if e.kind == ev.STEP_FINISHED]
    assert finished and finished[0].data["pinned"] is True


def test_a_normal_run_of_the_same_workflow_runs_the_pinned_step(engine: Engine, tmp_path: Path) -> None:
    pin(tmp_path / "chain.yaml", "first", {"path": "PINNED"})
    result = engine.run(_chain(tmp_path))  # no debug: what the scheduler, watches and webhooks start
    assert result.ok and (tmp_path / "first.txt").exists()
    assert (tmp_path / "third.txt").read_text() == f"hi {tmp_path / 'first.txt'}"


def test_breakpoint_pause_shows_the_data_then_step_and_continue(engine: Engine, tmp_path: Path) -> None:
    paused = Paused()
    engine.subscribe(paused)
    handle = engine.submit(_chain(tmp_path), debug=Debug(breakpoints={"second": None}))
    first = paused.wait(1)
    assert first.step == "second"
    assert first.data["vars"] == {"greeting": "hi"}
    assert first.data["steps"]["first"]["path"] == str(tmp_path / "first.txt")
    assert not handle.done() and not (tmp_path / "third.txt").exists()  # it waits
    handle.debug("step")
    assert paused.wait(2).step == "third"  # paused again before the next step
    assert not (tmp_path / "third.txt").exists()
    handle.debug("continue")
    assert handle.wait(20).ok
    assert (tmp_path / "third.txt").exists()


def test_stop_while_paused_cancels_the_run(engine: Engine, tmp_path: Path) -> None:
    paused = Paused()
    engine.subscribe(paused)
    handle = engine.submit(_chain(tmp_path), debug=Debug(breakpoints={"third": None}))
    paused.wait(1)
    handle.debug("stop")
    assert handle.wait(20).status == "cancelled"
    assert not (tmp_path / "third.txt").exists()


def test_a_conditional_breakpoint_in_a_loop_body_pauses_at_that_round(engine: Engine, tmp_path: Path) -> None:
    paused = Paused()
    engine.subscribe(paused)
    path = tmp_path / "loop.yaml"
    path.write_text(LOOP, encoding="utf-8")
    handle = engine.submit(load_workflow(path), debug=Debug(breakpoints={"shout": "{{ loop.index == 1 }}"}))
    event = paused.wait(1)
    assert event.data["loop"]["item"] == "b" and event.data["loop"]["index"] == 1
    handle.debug("continue")
    assert handle.wait(20).ok
    assert len(paused.events) == 1  # the other rounds did not pause


def test_run_to_a_step_and_unknown_names_are_refused(engine: Engine, tmp_path: Path) -> None:
    paused = Paused()
    engine.subscribe(paused)
    handle = engine.submit(_chain(tmp_path), debug=Debug(pause_first=True))
    assert paused.wait(1).step == "first"
    handle.debug("run_to", "third")
    assert paused.wait(2).step == "third"
    handle.debug("continue")
    assert handle.wait(20).ok
    with pytest.raises(ValueError, match="did you mean 'second'"):
        engine.submit(_chain(tmp_path), debug=Debug(breakpoints={"secnd": None}))


def test_pins_live_beside_the_workflow_not_in_it(tmp_path: Path) -> None:
    workflow = tmp_path / "chain.yaml"
    workflow.write_text(CHAIN.format(out=tmp_path), encoding="utf-8")
    before = workflow.read_text()
    pin(workflow, "first", {"path": "x"}, from_run="abc")
    assert pins_file(workflow) == tmp_path / ".flowdeck" / "pins" / "chain.yaml.json"
    assert load_pins(workflow) == {"first": {"output": {"path": "x"}, "port": "next", "from_run": "abc"}}
    assert workflow.read_text() == before
    assert unpin(workflow, "first") and not unpin(workflow, "first")
    assert not pins_file(workflow).exists()


FORK = """flowdeck: 1
name: Fork
steps:
  start: {{do: log, with: {{message: go}}, next: [left, right]}}
  left: {{do: wait, with: {{duration: 0.3s}}, next: left_after}}
  left_after: {{do: file.write, with: {{path: "{out}/left.txt", content: x}}}}
  right: {{do: log, with: {{message: right}}}}
"""


def test_a_pause_in_one_branch_holds_the_other_branches_at_their_next_step(engine: Engine, tmp_path: Path) -> None:
    """While one parallel branch is paused, the others finish the step they are in and wait before their next
    one (a paused run changes nothing behind the person's back)."""
    paused = Paused()
    engine.subscribe(paused)
    path = tmp_path / "fork.yaml"
    path.write_text(FORK.format(out=tmp_path), encoding="utf-8")
    handle = engine.submit(load_workflow(path), debug=Debug(breakpoints={"right": None}))
    assert paused.wait(1).step == "right"
    threading.Event().wait(1.0)  # the left branch's wait (0.3 s) is over by now
    assert not (tmp_path / "left.txt").exists()
    handle.debug("continue")
    assert handle.wait(20).ok
    assert (tmp_path / "left.txt").exists()


def test_pins_follow_renamed_steps_and_a_new_step_on_an_old_id_has_none() -> None:
    from engine.runtime.pins import follow_renames

    pins = {"fetch": {"output": 1}, "save": {"output": 2}, "gone": {"output": 3}}
    # fetch renamed to load, then a new step took the id fetch; save renamed to fetch2 and back (no entry left)
    assert follow_renames(pins, {"load": "fetch"}) == {
        "load": {"output": 1},
        "save": {"output": 2},
        "gone": {"output": 3},
    }
    assert follow_renames(pins, {"fetch": "save", "save": "fetch"}) == {
        "fetch": {"output": 2}, "save": {"output": 1}, "gone": {"output": 3},
    }  # fmt: skip
    assert follow_renames(pins, {}) == pins
