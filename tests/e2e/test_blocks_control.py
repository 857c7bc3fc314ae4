"""Promises of docs/blocks.md for the control blocks, held by real `flowdeck run --json` runs."""

from __future__ import annotations

import pytest

from tests.e2e.flows import run_json
from tests.support.product import Product

CONTROL = """flowdeck: 1
name: Control
vars: {n: 5, color: green}
steps:
  check:
    do: if
    with: {condition: "{{ vars.n > 3 }}"}
    next: {then: big, else: small}
  small:
    do: log
    with: {message: small}
  big:
    do: switch
    with: {value: "{{ vars.color }}"}
    next: {red: red, green: each, default: other}
  red:
    do: log
    with: {message: red}
  other:
    do: log
    with: {message: other}
  each:
    do: for_each
    with: {items: [a, b, c], concurrency: 2}
    next: {body: item, done: again}
  item:
    do: text.template
    with: {template: "{{ loop.index }}:{{ loop.item }}"}
  again:
    do: repeat
    with: {while: "{{ loop.index < 3 }}", max: 10}
    next: {body: tick, done: child}
  tick:
    do: state.increment
    with: {key: ticks}
  child:
    do: workflow.run
    with: {path: child.yaml, inputs: {x: 21}}
    next: [left, right]
  left:
    do: wait
    with: {duration: 0.2s}
    next: meet
  right:
    do: log
    with: {message: right}
    next: meet
  meet:
    do: join
    next: pause
  pause:
    do: wait
    with: {until: "{{ (now + timedelta(seconds=1)).isoformat() }}"}
"""

CHILD = """flowdeck: 1
name: Child
vars: {x: 1}
outputs:
  doubled: "{{ vars.x * 2 }}"
steps:
  say:
    do: log
    with: {message: "child got {{ vars.x }}"}
"""

STOP = """flowdeck: 1
name: Stopper
steps:
  start:
    do: log
    with: {message: go}
    next: [slow, quick]
  slow:
    do: wait
    with: {duration: 30s}
    next: never
  never:
    do: log
    with: {message: never}
  quick:
    do: stop
    with: {message: nothing to do today}
"""

FAIL = """flowdeck: 1
name: Failer
on_failure: tell
steps:
  check:
    do: fail
    with: {message: "the report is empty"}
  tell:
    do: file.write
    with: {path: failure.txt, content: "{{ error.step }}: {{ error.message }} ({{ error.kind }})"}
"""


@pytest.mark.promise("blocks.md", "`if` — If / else")
@pytest.mark.promise("blocks.md", "`switch` — Switch")
@pytest.mark.promise("blocks.md", "`for_each` — For each")
@pytest.mark.promise("blocks.md", "`repeat` — Repeat while")
@pytest.mark.promise("blocks.md", "`join` — Join")
@pytest.mark.promise("blocks.md", "`wait` — Wait")
@pytest.mark.promise("blocks.md", "`workflow.run` — Run workflow")
def test_control_blocks_route_and_report_as_documented(product: Product) -> None:
    """if goes to 'then' when true, switch to the port named like the value, for_each runs its body per item with
    loop.item and loop.index and gives count and results, repeat runs while its condition holds, workflow.run passes
    inputs as vars and gives back outputs, join waits for every branch, wait pauses for a duration or until a time."""
    product.write("child.yaml", CHILD)
    done, record = run_json(product, "control.yaml", CONTROL)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
    s = record["steps"]
    assert s["check"] == {"result": True} and "small" not in s
    assert s["big"] == {"value": "green", "port": "green"} and not {"red", "other"} & set(s)
    assert s["each"]["count"] == 3
    assert [r["text"] for r in s["each"]["results"]] == ["0:a", "1:b", "2:c"]
    assert (s["again"], s["tick"]["value"]) == ({"count": 3}, 3)  # while loop.index < 3: rounds 0, 1, 2
    assert s["child"]["outputs"] == {"doubled": 42} and len(s["child"]["run_id"]) >= 8
    assert sorted(s["meet"]["branches"]) == ["left", "right"]
    assert s["left"]["waited"] == 0.2
    assert 0 < s["pause"]["waited"] <= 1.0  # until a moment one second after the step's inputs were rendered
    assert "child got 21" in done.stderr


@pytest.mark.promise("blocks.md", "`stop` — Stop")
def test_stop_ends_the_run_successfully_whatever_else_is_running(product: Product) -> None:
    """stop ends the run successfully at once, with its message, while another branch is still waiting."""
    done, record = run_json(product, "stop.yaml", STOP)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stderr
    assert not {"slow", "never"} & set(record["steps"])  # the other branch's 30 s wait was cut, its next step never ran
    assert "succeeded in" in done.stderr and "nothing to do today" in done.stderr


@pytest.mark.promise("blocks.md", "`fail` — Fail")
def test_fail_ends_the_run_as_failed_and_on_failure_runs(product: Product) -> None:
    """fail ends the run as failed with its message, and on_failure still runs (with the error)."""
    done, record = run_json(product, "fail.yaml", FAIL)
    assert (done.returncode, record["status"]) == (1, "failed")
    assert record["error"] == {"message": "the report is empty", "kind": "fail", "step": "check"}
    assert (product.workspace / "failure.txt").read_text() == "check: the report is empty (fail)"
    assert "error in step 'check': the report is empty" in done.stderr
