"""How a run goes, as docs/runtime.md promises it, checked through the real ``flowdeck run`` and its history."""

from __future__ import annotations

import json
import signal
import subprocess
import zipfile
from typing import Any

import pytest

from tests.support.product import Product


def run(product: Product, text: str, *args: str, name: str = "flow.yaml") -> tuple[Any, dict[str, Any]]:
    """Run the workflow ``text`` with ``flowdeck run --json``; (the process, its JSON record)."""
    path = product.write(name, text)
    done = product.run("run", str(path), "--json", *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done, json.loads(done.stdout)


def steps_run(product: Product, run_id: str) -> dict[str, dict[str, Any]]:
    rows = product.history_rows("SELECT * FROM steps WHERE run_id = ?", (run_id,))
    return {r["step"]: r for r in rows}


@pytest.mark.promise("runtime.md", "Paths: `next` and ports")
def test_a_step_without_next_ends_its_path(product: Product) -> None:
    """A step goes to the steps named in ``next``; a step with no ``next`` ends its path; the run ends when every
    path has ended."""
    done, record = run(
        product,
        """flowdeck: 1
name: Paths
steps:
  a: {do: set, with: {values: {x: 1}}, next: b}
  b: {do: log, with: {message: "x is {{ vars.x }}"}}
  c: {do: log, with: {message: never reached}}
""",
    )
    assert done.returncode == 0 and record["status"] == "succeeded"
    assert "x is 1" in done.stderr
    assert set(steps_run(product, record["run_id"])) == {"a", "b"}


@pytest.mark.promise("runtime.md", "if / else, switch")
def test_if_and_switch_take_the_port_of_their_value(product: Product) -> None:
    """``if`` goes to then/else by its condition; ``switch`` to the port named like the value, else ``default``."""
    done, record = run(
        product,
        """flowdeck: 1
name: Ports
vars: {n: 5, color: green}
steps:
  check: {do: if, with: {condition: "{{ vars.n > 3 }}"}, next: {then: pick, else: small}}
  small: {do: log, with: {message: small}}
  pick: {do: switch, with: {value: "{{ vars.color }}"}, next: {red: r, green: g, default: other}}
  r: {do: log, with: {message: red}}
  g: {do: log, with: {message: green}, next: again}
  other: {do: log, with: {message: other}}
  again: {do: switch, with: {value: blue}, next: {red: r, default: other}}
""",
    )
    assert done.returncode == 0, done.stderr
    assert set(steps_run(product, record["run_id"])) == {"check", "pick", "g", "again", "other"}
    assert record["steps"]["check"] == {"result": True}
    assert record["steps"]["again"] == {"value": "blue", "port": "default"}


@pytest.mark.promise("runtime.md", "for_each")
def test_for_each_runs_the_body_per_item_then_done(product: Product) -> None:
    """``body`` runs once per item with ``loop.item``/``loop.index``; ``done`` after the last; the output is
    ``{count, results}`` with each item's last body output; ``concurrency`` runs items at once."""
    done, record = run(
        product,
        """flowdeck: 1
name: Each
steps:
  each:
    do: for_each
    with: {items: [a, b, c], concurrency: 3}
    next: {body: name, done: report}
  name: {do: set, with: {values: {last: "{{ loop.index }}-{{ loop.item }}"}}}
  report: {do: log, with: {message: "{{ steps.each.count }} items"}}
""",
    )
    assert done.returncode == 0, done.stderr
    assert record["steps"]["each"]["count"] == 3
    assert [r["values"]["last"] for r in record["steps"]["each"]["results"]] == ["0-a", "1-b", "2-c"]
    assert "3 items" in done.stderr


@pytest.mark.promise("runtime.md", "repeat (bounded)")
def test_repeat_while_until_and_max(product: Product) -> None:
    """The body runs while ``while`` holds, until ``until`` holds (checked after each round), never more than
    ``max`` rounds."""
    text = """flowdeck: 1
name: Repeat
vars: {{n: 0}}
steps:
  again: {{do: repeat, with: {{{cond}, max: 10}}, next: {{body: tick, done: end}}}}
  tick: {{do: set, with: {{values: {{n: "{{{{ vars.n + 1 }}}}"}}}}}}
  end: {{do: log, with: {{message: "n={{{{ vars.n }}}}"}}}}
"""
    cases = {
        'while: "{{ loop.index < 5 }}"': 5,
        'until: "{{ vars.n >= 3 }}"': 3,
        'until: "{{ loop.last_output.values.n == 2 }}"': 2,
        'while: "true"': 10,
    }
    for cond, rounds in cases.items():
        done, record = run(product, text.format(cond=cond))
        assert done.returncode == 0, done.stderr
        assert record["steps"]["again"] == {"count": rounds}, cond
        assert f"n={rounds}" in done.stderr


@pytest.mark.promise("runtime.md", "repeat (bounded)")
def test_max_steps_stops_a_runaway_run_naming_the_limit(product: Product) -> None:
    """A run stops after ``policy.max_steps`` steps and fails with an error of kind ``limit`` naming the limit and
    the step where it stopped."""
    done, record = run(
        product,
        """flowdeck: 1
name: Runaway
policy: {max_steps: 50}
vars: {n: 0}
steps:
  again: {do: repeat, with: {max: 1000000}, next: {body: count}}
  count: {do: set, with: {values: {n: "{{ vars.n + 1 }}"}}}
""",
    )
    assert done.returncode == 1
    assert record["error"]["kind"] == "limit"
    assert "the run took more than 50 steps (policy.max_steps) and was stopped at step 'count'" in done.stderr


@pytest.mark.promise("runtime.md", "Parallel branches and join")
def test_join_waits_for_branches_that_can_still_reach_it(product: Product) -> None:
    """Several ``next`` targets run concurrently; a join waits for every branch that can still reach it, not for
    one that took another way."""
    done, record = run(
        product,
        """flowdeck: 1
name: Join
steps:
  start: {do: set, with: {values: {go: false}}, next: [left, right, gate]}
  left:  {do: wait, with: {duration: 1s}, next: meet}
  right: {do: wait, with: {duration: 1s}, next: meet}
  gate:  {do: if, with: {condition: "{{ vars.go }}"}, next: {then: meet, else: aside}}
  aside: {do: log, with: {message: aside}}
  meet:  {do: join, next: after}
  after: {do: log, with: {message: met}}
""",
    )
    assert done.returncode == 0, done.stderr
    assert sorted(record["steps"]["meet"]["branches"]) == ["left", "right"]
    rows = steps_run(product, record["run_id"])
    assert rows["left"]["started"] + 0.9 < rows["meet"]["started"] + 0.1  # meet began after the 1 s waits
    # the two waits overlapped: they ran at once, not one after the other
    assert abs(rows["left"]["started"] - rows["right"]["started"]) < 0.9


@pytest.mark.promise("runtime.md", "Another workflow: workflow.run")
def test_workflow_run_passes_inputs_and_returns_outputs(product: Product) -> None:
    """``inputs`` become the child's vars, its ``outputs`` come back; recursion and a missing file fail naming
    them."""
    product.write("child.yaml", "flowdeck: 1\nname: Child\noutputs: {twice: '{{ vars.x * 2 }}'}\n"
                  "steps:\n  s: {do: log, with: {message: hi}}\n")  # fmt: skip
    done, record = run(
        product,
        "flowdeck: 1\nname: Parent\nsteps:\n  call: {do: workflow.run, with: {path: child.yaml, inputs: {x: 21}}}\n",
    )
    assert done.returncode == 0, done.stderr
    assert record["steps"]["call"]["outputs"] == {"twice": 42}
    product.write("a.yaml", "flowdeck: 1\nname: A\nsteps:\n  s: {do: workflow.run, with: {path: b.yaml}}\n")
    product.write("b.yaml", "flowdeck: 1\nname: B\nsteps:\n  s: {do: workflow.run, with: {path: a.yaml}}\n")
    done = product.run("run", str(product.workspace / "a.yaml"))
    assert done.returncode == 1 and "workflow recursion: a.yaml → b.yaml → a.yaml" in done.stderr
    done, _ = run(product, "flowdeck: 1\nname: M\nsteps:\n  s: {do: workflow.run, with: {path: nowhere.yaml}}\n")
    assert done.returncode == 1 and "workflow file not found: " in done.stderr


@pytest.mark.promise("runtime.md", "wait, stop, fail")
def test_stop_succeeds_with_its_message_and_fail_fails(product: Product) -> None:
    """``stop`` ends the run as succeeded (other branches are halted); ``fail`` ends it as failed."""
    done, record = run(
        product,
        """flowdeck: 1
name: Stop
steps:
  start: {do: log, with: {message: go}, next: [enough, slow]}
  enough: {do: stop, with: {message: nothing to do}}
  slow: {do: wait, with: {duration: 30s}, next: late}
  late: {do: log, with: {message: too late}}
""",
    )
    assert done.returncode == 0, done.stderr
    assert record["status"] == "succeeded" and "nothing to do" in done.stderr
    assert "late" not in steps_run(product, record["run_id"])
    done, record = run(product, "flowdeck: 1\nname: F\nsteps:\n  broken: {do: fail, with: {message: disk is full}}\n")
    assert done.returncode == 1 and record["error"]["message"] == "disk is full"


@pytest.mark.promise("runtime.md", "Errors: retry, timeout, on_error, on_failure")
def test_retries_then_the_error_route(product: Product) -> None:
    """Retries come first; the error route is taken only after every attempt failed, and it sees ``error``;
    ``on_error: continue`` goes on along ``next`` with the step's output ``{error: …}``."""
    done, record = run(
        product,
        """flowdeck: 1
name: Retry
steps:
  fetch:
    do: file.read
    with: {path: missing.txt}
    retry: {attempts: 3, backoff: 10ms}
    on_error: alert
  alert: {do: log, with: {message: "gave up: {{ error.kind }}"}, next: go}
  go:
    do: file.read
    with: {path: missing-too.txt}
    on_error: continue
    next: after
  after: {do: log, with: {message: "after {{ steps.go.error.kind }}"}}
""",
    )
    assert done.returncode == 0, done.stderr
    rows = steps_run(product, record["run_id"])
    assert rows["fetch"]["attempts"] == 3 and rows["fetch"]["status"] == "failed"
    assert "gave up: file" in done.stderr and "after file" in done.stderr
    assert done.stderr.count("retrying in") == 2


@pytest.mark.promise("runtime.md", "Errors: retry, timeout, on_error, on_failure")
def test_a_step_timeout_kills_its_program(product: Product) -> None:
    """``timeout``: a program is killed and the run moves on with a timeout error."""
    done, record = run(
        product,
        """flowdeck: 1
name: Slow program
steps:
  nap: {do: program.run, with: {command: [sleep, "30"]}, timeout: 1s}
""",
    )
    assert done.returncode == 1
    assert record["error"]["kind"] == "timeout"
    assert record["finished"] - record["started"] < 20


@pytest.mark.promise("runtime.md", "Errors: retry, timeout, on_error, on_failure")
def test_on_failure_step_and_workflow(product: Product) -> None:
    """``on_failure`` names a step, or a workflow file run with ``vars.error`` and ``vars.failed_run``."""
    done, _ = run(
        product,
        "flowdeck: 1\nname: S\non_failure: cleanup\nsteps:\n  boom: {do: fail, with: {message: broke}}\n"
        "  cleanup: {do: log, with: {message: 'cleaning after {{ error.message }}'}}\n",
    )
    assert done.returncode == 1 and "cleaning after broke" in done.stderr
    tell = "  t: {do: log, with: {message: '{{ vars.failed_run.workflow }}: {{ vars.error.message }}'}}\n"
    product.write("alert.yaml", "flowdeck: 1\nname: Alert\nsteps:\n" + tell)
    done, _ = run(
        product, "flowdeck: 1\nname: W\non_failure: alert.yaml\nsteps:\n  boom: {do: fail, with: {message: x1}}\n"
    )
    assert done.returncode == 1 and "W: x1" in done.stderr


@pytest.mark.promise("blocks.md", "`file.zip` — Zip")
def test_zip_counts_files_not_folder_entries(product: Product) -> None:
    """``file.zip``'s ``files`` output is how many files the zip holds (folders are not counted)."""
    for name in ("a.txt", "sub/b.txt", "sub/deeper/c.txt"):
        product.write(f"data/{name}", name)
    done, record = run(
        product, "flowdeck: 1\nname: Z\nsteps:\n  pack: {do: file.zip, with: {path: data, to: out/data.zip}}\n"
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(product.workspace / "out" / "data.zip") as archive:
        assert len([n for n in archive.namelist() if not n.endswith("/")]) == 3
    assert record["steps"]["pack"]["files"] == 3


@pytest.mark.promise("runtime.md", "Limits")
def test_a_nul_character_in_a_path_names_the_parameter(product: Product) -> None:
    """A path with a NUL character fails naming the parameter, not with Python's "embedded null byte"."""
    done, record = run(
        product, "flowdeck: 1\nname: N\nsteps:\n  r: {do: file.read, with: {path: \"{{ 'a\\x00b.txt' }}\"}}\n"
    )
    assert done.returncode == 1
    assert record["error"]["message"].startswith("path: the path contains a NUL character"), record["error"]
    assert "embedded null byte" not in done.stderr


@pytest.mark.promise("runtime.md", "repeat (bounded)")
def test_a_failing_loop_body_step_is_named_in_the_error(product: Product) -> None:
    """When a step inside a loop body fails, the run's error names that body step (not the loop around it)."""
    done, record = run(
        product,
        """flowdeck: 1
name: Body fails
steps:
  each: {do: for_each, with: {items: [1, 2, 3]}, next: {body: check}}
  check: {do: fail, with: {message: "item {{ loop.item }} is bad"}}
""",
    )
    assert done.returncode == 1
    assert record["error"]["step"] == "check" and record["error"]["message"] == "item 1 is bad"
    assert "error in step 'check': item 1 is bad" in done.stderr


@pytest.mark.promise("runtime.md", "Errors: retry, timeout, on_error, on_failure")
def test_retry_on_limits_retries_to_those_kinds(product: Product) -> None:
    """``retry.on`` limits retries to these error kinds: an error of another kind fails at its first attempt."""
    done, record = run(
        product,
        """flowdeck: 1
name: Kinds
steps:
  read:
    do: file.read
    with: {path: missing.txt}
    retry: {attempts: 3, backoff: 10ms, "on": [http]}
""",
    )
    assert done.returncode == 1 and record["error"]["kind"] == "file"
    assert steps_run(product, record["run_id"])["read"]["attempts"] == 1
    assert "retrying" not in done.stderr


@pytest.mark.promise("runtime.md", "wait, stop, fail")
def test_steps_after_a_stop_are_not_run_and_not_recorded(product: Product) -> None:
    """After ``stop``, other branches are halted: a step whose turn comes later is not run, and steps never
    reached get no row in the history."""
    done, record = run(
        product,
        """flowdeck: 1
name: Halt
steps:
  start: {do: log, with: {message: go}, next: [enough, slow]}
  enough: {do: wait, with: {duration: 200ms}, next: end}
  end: {do: stop, with: {message: done early}}
  slow: {do: wait, with: {duration: 30s}, next: never}
  never: {do: log, with: {message: never}}
""",
    )
    assert done.returncode == 0 and record["status"] == "succeeded", done.stderr
    rows = steps_run(product, record["run_id"])
    assert "never" not in rows and rows["slow"]["status"] == "cancelled"
    assert record["finished"] - record["started"] < 20  # the 30 s wait ended with the stop


@pytest.mark.promise("runtime.md", "Cancelling")
def test_ctrl_c_ends_a_wait_at_once_and_records_the_run_cancelled(product: Product) -> None:
    """Cancelling a run (Ctrl-C in ``flowdeck run``) ends a wait at once; the run is recorded as ``cancelled``."""
    path = product.write("pause.yaml", "flowdeck: 1\nname: Pause\nsteps:\n  pause: {do: wait, with: {duration: 10m}}\n")
    proc = subprocess.Popen(
        product.command("run", str(path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=product.env,
        cwd=str(product.home),
    )
    try:
        assert proc.stdout is not None
        assert "▶ Pause" in proc.stdout.readline()
        assert "→ pause [wait]" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)  # the wait is 10 minutes: ending here means it was cut short
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 1, out + err
    assert "■ cancelled" in out and "Traceback" not in err
    (run_row,) = product.history_rows()
    assert run_row["status"] == "cancelled"
