"""Runs that use Desktop blocks go only to workers in a desktop session, without the person writing runs_on; with
no such worker the daemon says why, and a run that waited past its policy.timeout is in the history with why."""

from __future__ import annotations

import time

import pytest

from tests.e2e.test_workers import _daemon, _runs, worker
from tests.support.product import Product, wait_until

DESK = """flowdeck: 1
name: Desk
triggers:
  - startup: {{}}
policy: {policy}
steps:
  mark: {{do: program.run, with: {{command: [sh, -c, "echo ran >> {mark}"]}}, next: check}}
  check: {{do: if, with: {{condition: "{{{{ false }}}}"}}, next: {{then: typing}}}}
  typing: {{do: keys.type, with: {{text: hello}}}}
"""
WAITS = ("Desk: no connected worker has the tags desktop (its Desktop blocks (keys.type) need a worker in a desktop "
         "session); the run waits in the queue until one connects (start `flowdeck worker` inside a desktop session, "
         "or with --desktop)")  # fmt: skip


@pytest.mark.promise("scaling.md", "Desktop blocks on workers")
def test_a_workflow_with_desktop_blocks_waits_for_a_worker_in_a_desktop_session(
    product: Product, redis_url: str
) -> None:
    """A workflow with a Desktop block (`keys.type`) and no runs_on is not taken by a worker without a desktop
    session: the daemon says so in one line and the run waits; a worker started in a desktop session (DISPLAY set)
    says it has the `desktop` tag and takes the run."""
    mark = product.home / "ran"
    product.write("desk.yaml", DESK.format(policy="{}", mark=mark))
    with worker(product, redis_url, "--name", "plain@host"), _daemon(product, redis_url) as daemon:
        assert daemon.wait_log(WAITS), daemon.log
        time.sleep(1.0)  # what the plain worker would need to take it
        assert not mark.exists()
        with worker(product, redis_url, "--name", "desk@host", env={"DISPLAY": ":77"}) as desk:
            assert "desk@host is ready (4 at a time, tags: desktop)" in desk.log.read_text()  # type: ignore[attr-defined]
            assert wait_until(lambda: [r for r in _runs(product) if r["status"] != "running"], 30), daemon.log
    (run,) = _runs(product)
    assert (run["status"], run["source"]) == ("succeeded", "startup on desk@host"), run
    assert mark.read_text() == "ran\n"
    assert daemon.log.count("no connected worker has the tags desktop") == 1


@pytest.mark.promise("scaling.md", "Desktop blocks on workers")
def test_a_run_no_worker_could_take_within_its_timeout_is_failed_with_the_reason(
    product: Product, redis_url: str
) -> None:
    """With `policy: {timeout: 2s}` and no worker in a desktop session, the run is recorded as failed (timeout)
    saying that it did not start and why; a desktop worker that connects afterwards does not run it."""
    mark = product.home / "ran"
    product.write("desk.yaml", DESK.format(policy="{timeout: 2s}", mark=mark))
    with worker(product, redis_url, "--name", "plain@host"), _daemon(product, redis_url) as daemon:
        assert wait_until(lambda: [r for r in _runs(product) if r["status"] != "running"], 30), daemon.log
        with worker(product, redis_url, "--name", "desk@host", "--desktop"):
            time.sleep(1.5)  # what the desktop worker would need to take it
    (run,) = product.history("Desk")
    assert run["status"] == "failed" and run["error"]["kind"] == "timeout", run
    assert run["error"]["message"] == (
        "the run did not start within 2s (policy.timeout): no connected worker has the tags desktop (its Desktop "
        "blocks (keys.type) need a worker in a desktop session)"
    )
    assert not mark.exists()
