"""Runs on workers that have none of the daemon's files: child workflows travel with the run, and the saved values
kept in the broker are shown and cleared with `flowdeck state --broker`. Each worker runs in a HOME (and cwd) of
its own, as on another machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis

from tests.e2e.test_workers import _daemon, _runs, worker
from tests.support.product import Product, wait_until
from tests.support.redis import free_port

PARENT = """flowdeck: 1
name: Parent
triggers:
  - startup: {{}}
steps:
  near: {{do: workflow.run, with: {{path: parts/near.yaml, inputs: {{who: near}}}}, next: far}}
  far: {{do: workflow.run, with: {{path: "{far}"}}}}
"""
NEAR = """flowdeck: 1
name: Near
vars: {{who: nobody}}
steps:
  write: {{do: file.write, with: {{path: "{out}/near.txt", content: "{{{{ vars.who }}}}"}}, next: deeper}}
  deeper: {{do: workflow.run, with: {{path: ../deep/deep.yaml}}}}
"""
DEEP = """flowdeck: 1
name: Deep
steps:
  count: {{do: state.increment, with: {{key: deep_runs}}, next: write}}
  write: {{do: file.write, with: {{path: "{out}/deep.txt", content: "deep"}}}}
"""
FAR = """flowdeck: 1
name: Far
steps:
  write: {{do: file.write, with: {{path: "{out}/far.txt", content: "far"}}}}
"""


@pytest.mark.promise("scaling.md", "The picture")
def test_child_workflows_travel_with_the_run_to_a_worker_without_the_files(
    product: Product, redis_url: str, tmp_path: Path
) -> None:
    """A parent calling a child by a relative path (which calls a grandchild with `..`) and another by an absolute
    path outside the workspace runs on a worker whose HOME and folder hold none of these files, with the texts as
    they were when the run was sent (the files are broken on the daemon's disk before the worker starts): every
    child ran there (its files written, its counter counted), and the history has the run succeeded on that
    worker."""
    machine = Product(tmp_path / "worker-machine")  # the worker's account: no workflow files at all
    out = machine.home / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "far.yaml").write_text(FAR.format(out=out))
    product.write("parent.yaml", PARENT.format(far=elsewhere / "far.yaml"))
    product.write("parts/near.yaml", NEAR.format(out=out))
    product.write("deep/deep.yaml", DEEP.format(out=out))
    queued = redis.Redis.from_url(redis_url)
    try:
        with _daemon(product, redis_url) as daemon:
            assert wait_until(lambda: queued.hlen("flowdeck-queue:flowdeck.msgs"), 30), daemon.log
            for path in (elsewhere / "far.yaml", product.workspace / "parts/near.yaml"):
                path.write_text("not: [a workflow")  # what the daemon's disk holds now is not what was sent
            with worker(machine, redis_url, "--name", "away@host"):
                assert wait_until(lambda: [r for r in _runs(product) if r["status"] != "running"], 30), daemon.log
    finally:
        machine.close()
    run = _runs(product)[0]
    assert (run["workflow"], run["status"], run["source"]) == ("Parent", "succeeded", "startup on away@host"), run
    assert (out / "near.txt").read_text() == "near"
    assert (out / "deep.txt").read_text() == "deep"
    assert (out / "far.txt").read_text() == "far"
    rows = json.loads(product.run("state", "--broker", redis_url, "--json").stdout)
    saved = [(r["workflow"], r["path"], r["key"], r["value"]) for r in rows]
    assert saved == [("Deep", "deep/deep.yaml", "deep_runs", 1)], rows


@pytest.mark.promise("scaling.md", "What crosses the wire")
def test_a_child_named_by_a_template_is_refused_at_dispatch_in_one_line(product: Product, redis_url: str) -> None:
    """A `workflow.run` whose path is a template cannot travel (the file is only known when the step runs): the
    daemon records the run as failed, without sending it, with one line naming the file and the step."""
    product.write(
        "pick.yaml",
        """flowdeck: 1
name: Pick
vars: {which: child}
triggers:
  - startup: {}
steps:
  call: {do: workflow.run, with: {path: "{{ vars.which }}.yaml"}}
""",
    )
    with worker(product, redis_url), _daemon(product, redis_url) as daemon:
        assert wait_until(lambda: [r for r in _runs(product) if r["status"] != "running"], 30), daemon.log
    (run,) = product.history("Pick")
    assert run["status"] == "failed", run
    message = run["error"]["message"]
    assert message.startswith("pick.yaml: steps.call.with.path is a template ('{{ vars.which }}.yaml')"), message
    assert "\n" not in message and "Traceback" not in daemon.log
    assert "pick.yaml: steps.call.with.path is a template" in daemon.log


COUNTER = """flowdeck: 1
name: Counter
triggers:
  - startup: {}
steps:
  count: {do: state.increment, with: {key: visits}, next: note}
  note: {do: state.set, with: {key: last, value: seen}}
"""


@pytest.mark.promise("scaling.md", "Saved values with a broker")
def test_flowdeck_state_with_the_broker_shows_and_clears_the_values_in_redis(product: Product, redis_url: str) -> None:
    """Values saved by a run on a worker are in Redis, not in the daemon's database: `flowdeck state --broker URL`
    lists them under the workflow's name and file (`--json` too), `--clear` forgets them, and the local
    `flowdeck state` knows nothing of them. A broker that does not answer is one line and exit code 1."""
    product.write("counter.yaml", COUNTER)
    with worker(product, redis_url), _daemon(product, redis_url) as daemon:
        assert wait_until(lambda: [r for r in _runs(product) if r["status"] == "succeeded"], 30), daemon.log
    assert product.run("state").stdout.strip() == "no saved values"
    shown = product.run("state", "--broker", redis_url)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "Counter (counter.yaml)", shown.stdout
    assert lines[1].startswith('  last = "seen"  (set ') and lines[2].startswith("  visits = 1  (set "), lines
    rows = json.loads(product.run("state", "--broker", redis_url, "--json").stdout)
    assert {(r["workflow"], r["path"], r["key"], r["value"]) for r in rows} == {
        ("Counter", "counter.yaml", "visits", 1), ("Counter", "counter.yaml", "last", "seen")}  # fmt: skip
    one = product.run("state", "--broker", redis_url, "Counter", "--key", "last", "--clear")
    assert one.stdout.strip() == "forgot 1 saved value 'last' of Counter", one.stderr
    cleared = product.run("state", "--broker", redis_url, "counter.yaml", "--clear")
    assert cleared.stdout.strip() == "forgot 1 saved value of counter.yaml", cleared.stderr
    assert product.run("state", "--broker", redis_url).stdout.strip() == "no saved values"
    away = product.run("state", "--broker", f"redis://127.0.0.1:{free_port()}/0")
    assert away.returncode == 1 and len(away.stderr.strip().splitlines()) == 1, away.stderr
    assert away.stderr.startswith("flowdeck state: the broker redis://127.0.0.1:"), away.stderr
