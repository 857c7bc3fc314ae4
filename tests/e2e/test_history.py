"""The run history as docs/runtime.md promises it: what is recorded, truncation, retention, cancelled steps,
``flowdeck history`` and its --run and --clear, a damaged file moved aside; with the real command and daemon."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from tests.support.mounts import fill, tiny_disk
from tests.support.product import Product, wait_until

TWO_STEPS = """flowdeck: 1
name: Two steps
vars: {who: world}
outputs: {greeting: "{{ steps.greet.values.text }}"}
steps:
  greet:
    do: set
    with: {values: {text: "hello {{ vars.who }}"}}
    next: say
  say:
    do: log
    with: {message: "said {{ vars.text }}"}
"""

FAILS = """flowdeck: 1
name: Fails
steps:
  bad:
    do: file.read
    with: {path: does-not-exist.txt}
"""


def _run(product: Product, path: Path, *args: str) -> str:
    done = product.run("run", str(path), *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return product.history()[0]["run_id"]


@pytest.mark.promise("runtime.md", "Run history")
def test_a_run_and_its_steps_are_recorded(product: Product) -> None:
    """One row per run (id, workflow, path, trigger, source, status, start, end, error, outputs) and one row per step
    (block, status, inputs, output, log lines, start, duration, attempts, error)."""
    flow = product.write("two.yaml", TWO_STEPS)
    run_id = _run(product, flow, "--var", "who=Ada")
    [listed] = product.history()
    assert (listed["run_id"], listed["workflow"], listed["path"]) == (run_id, "Two steps", str(flow))
    assert (listed["source"], listed["status"], listed["error"]) == ("cli", "succeeded", None)
    assert listed["outputs"] == {"greeting": "hello Ada"}
    assert listed["started"] <= listed["finished"] and listed["steps"] == []
    done = product.run("history", "--run", run_id, "--json")
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    assert [(s["step"], s["block"], s["status"], s["attempts"]) for s in run["steps"]] == [
        ("greet", "set", "succeeded", 1),
        ("say", "log", "succeeded", 1),
    ]
    greet, say = run["steps"]
    assert greet["inputs"] == {"values": {"text": "hello Ada"}} and greet["output"] == {"values": {"text": "hello Ada"}}
    assert [line["message"] for line in say["logs"]] == ["said hello Ada"]
    assert say["duration"] is not None and say["started"] >= greet["started"]


@pytest.mark.promise("runtime.md", "Run history")
def test_a_failed_run_keeps_its_error_and_no_history_is_not_recorded(product: Product) -> None:
    """A failed run is recorded with its error and its failed step; ``flowdeck run --no-history`` records nothing."""
    flow = product.write("fails.yaml", FAILS)
    assert product.run("run", str(flow)).returncode == 1
    [run] = product.history()
    assert run["status"] == "failed" and "does-not-exist.txt" in run["error"]["message"]
    shown = product.run("history", "--run", run["run_id"])
    assert "bad [file.read] failed" in shown.stdout and "does-not-exist.txt" in shown.stdout
    assert product.run("run", str(product.write("two.yaml", TWO_STEPS)), "--no-history").returncode == 0
    assert [r["workflow"] for r in product.history()] == ["Fails"]


@pytest.mark.promise("runtime.md", "Run history")
def test_a_long_value_is_stored_truncated_and_says_so(product: Product) -> None:
    """A value longer than 64,000 characters of JSON is stored as its first part and `… [truncated: N characters in
    all]`."""
    flow = product.write("long.yaml", 'flowdeck: 1\nname: Long\nsteps:\n  big:\n    do: set\n'
                         '    with: {values: {text: "{{ \'x\' * 100000 }}"}}\n')  # fmt: skip
    run_id = _run(product, flow)
    [step] = json.loads(product.run("history", "--run", run_id, "--json").stdout)["steps"]
    assert isinstance(step["output"], str) and len(step["output"]) < 66_000
    assert step["output"].endswith("… [truncated: 100024 characters in all]"), step["output"][-60:]


@pytest.mark.promise("runtime.md", "Run history")
def test_retention_keeps_each_workflows_newest_runs_and_days(product: Product) -> None:
    """Retention per workflow: `policy.history.keep_runs` keeps that workflow's newest runs (others keep the
    default 200), `keep_days` drops older runs; applied after each `flowdeck run`."""
    kept = product.write(
        "kept.yaml", TWO_STEPS.replace("name: Two steps", "name: Kept\npolicy: {history: {keep_runs: 2}}")
    )
    other = product.write("other.yaml", TWO_STEPS.replace("name: Two steps", "name: Other"))
    _run(product, other)
    ids = [_run(product, kept) for _ in range(4)]
    assert [r["run_id"] for r in product.history("Kept")] == ids[:1:-1]
    assert len(product.history("Other")) == 1
    week = product.write(
        "week.yaml", TWO_STEPS.replace("name: Two steps", "name: Week\npolicy: {history: {keep_days: 7}}")
    )
    old = _run(product, week)
    db = sqlite3.connect(product.history_file)
    db.execute("UPDATE runs SET started = ? WHERE run_id = ?", (time.time() - 8 * 86400, old))  # a run 8 days ago
    db.commit()
    db.close()
    new = _run(product, week)
    assert [r["run_id"] for r in product.history("Week")] == [new]


def _running_steps(product: Product) -> list[dict[str, object]]:
    try:
        return product.history_rows("SELECT * FROM steps WHERE status = 'running'")
    except sqlite3.OperationalError:  # the daemon has not made the tables yet
        return []


@pytest.mark.promise("runtime.md", "Run history")
def test_a_step_still_running_when_its_run_is_cancelled_is_recorded_cancelled(product: Product) -> None:
    """A step still running when its run ends (the daemon stopped: the run is cancelled) is recorded `cancelled`."""
    product.write("nap.yaml", "flowdeck: 1\nname: Nap\ntriggers:\n  - startup: {}\n"
                  "steps:\n  nap: {do: wait, with: {duration: 60s}}\n")  # fmt: skip
    with product.daemon("--grace", "0.2") as daemon:
        assert wait_until(lambda: _running_steps(product), 30), daemon.log
        assert daemon.stop() == 0
    [run] = product.history()
    assert run["status"] == "cancelled"
    assert [s["status"] for s in product.history_rows("SELECT status FROM steps")] == ["cancelled"]


@pytest.mark.promise("runtime.md", "Run history")
def test_flowdeck_history_lists_shows_and_clears(product: Product) -> None:
    """`flowdeck history` lists runs newest first, one line each (id, start, status, duration, workflow, error);
    `--status` filters; `--run` takes an id or a unique prefix, an unknown one says so and exits 1; `--clear
    WORKFLOW` deletes that workflow's runs and `--clear` all, saying how many."""
    empty = product.run("history")
    assert (empty.returncode, empty.stdout) == (0, "no runs recorded\n")
    good = _run(product, product.write("two.yaml", TWO_STEPS))
    product.run("run", str(product.write("fails.yaml", FAILS)))
    bad = product.history()[0]["run_id"]
    lines = product.run("history").stdout.splitlines()
    assert [line.split()[0] for line in lines] == [bad, good]
    assert lines[0].split()[3] == "failed"
    assert "Fails" in lines[0] and "does-not-exist.txt" in lines[0]
    assert "succeeded" in lines[1] and lines[1].split()[-1] == "steps" and " ms " in lines[1]
    failed = product.run("history", "--status", "failed").stdout.splitlines()
    assert [line.split()[0] for line in failed] == [bad]
    shown = product.run("history", "--run", good[:6])
    assert shown.returncode == 0 and shown.stdout.startswith(f"run {good}: Two steps (")
    unknown = product.run("history", "--run", "zzzz")
    assert unknown.returncode == 1
    assert unknown.stderr == "flowdeck history: no run with id 'zzzz' (or the prefix is not unique)\n"
    cleared = product.run("history", "--clear", "Fails")
    assert (cleared.returncode, cleared.stdout) == (0, "deleted 1 run\n")
    assert [r["run_id"] for r in product.history()] == [good]
    product.run("run", str(product.write("fails.yaml", FAILS)))
    assert product.run("history", "--clear").stdout == "deleted 2 runs\n"
    assert product.history() == []


@pytest.mark.promise("runtime.md", "Run history under faults")
def test_a_damaged_history_is_moved_aside_and_the_run_is_recorded_afresh(product: Product) -> None:
    """Only a damaged file is renamed `history.sqlite3.corrupt-<time>`; a fresh one records the run."""
    product.history_file.parent.mkdir(parents=True)
    product.history_file.write_bytes(b"not a database at all " * 200)
    done = product.run("run", str(product.write("two.yaml", TWO_STEPS)))
    assert done.returncode == 0
    assert "is damaged (file is not a database); moved it to history.sqlite3.corrupt-" in done.stderr
    [aside] = product.history_file.parent.glob("history.sqlite3.corrupt-*")
    assert aside.read_bytes().startswith(b"not a database")
    assert [r["status"] for r in product.history()] == ["succeeded"]


@pytest.mark.promise("runtime.md", "Run history under faults")
def test_flowdeck_run_on_a_full_disk_runs_and_says_why_it_is_not_recorded(product: Product, tmp_path: Path) -> None:
    """`flowdeck run` with the disk full, three times: each run happens (exit 0, its file written), stderr says that
    the disk is full and that the run was not recorded (each once), nothing is moved aside, and the history still
    reads."""
    out = tmp_path / "out.txt"
    flow = product.write("w.yaml", f'flowdeck: 1\nname: W\nsteps:\n  w: {{do: file.write, with: {{path: "{out}", '
                         'content: done}}\n')  # fmt: skip
    with tiny_disk(product.data / "flowdeck") as data:
        first = _run(product, flow)
        fill(data)
        for _ in range(3):  # each run opens the history on the full disk again
            out.unlink()
            done = product.run("run", str(flow))
            assert done.returncode == 0, done.stderr
            assert out.read_text() == "done"
            said = [line.removeprefix("flowdeck run: warning: ") for line in done.stderr.splitlines()]
            assert len(said) == len(set(said)), done.stderr  # each said once
            assert set(said) == {
                f"the run history cannot be written: the disk is full ({product.history_file}); runs go on "
                "unrecorded until there is room",
                f"run history: 1 run not recorded at exit (the disk is full; {product.history_file})",
            }, done.stderr
        assert not list(data.glob("*.corrupt-*"))
        listed = product.run("history")
        assert listed.returncode == 0 and listed.stdout.startswith(first), listed.stdout + listed.stderr
