"""Overlap policy with the real daemon: a fire that is due runs unless a real earlier run of the workflow is going."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from tests.support.product import Product, wait_until

CAUGHT_UP_AND_STARTUP = """flowdeck: 1
name: Early
triggers:
  - schedule: {{at: "{at}"}}
  - schedule: {{at: "{at2}"}}
  - startup: {{}}
steps:
  note:
    do: file.write
    with: {{path: "{out}", content: "{{{{ trigger.kind }}}}", append: true, newline: true}}
"""


@pytest.mark.promise("triggers.md", "Policy")
def test_a_fire_while_the_earlier_run_waits_for_its_process_still_runs(product: Product) -> None:
    """`overlap: skip` drops a fire only while the previous run is really going: fires of other triggers that come
    while the caught-up run (fired a moment earlier) still waits for the daemon's first run process run too, after
    it: a second caught-up `at` and the startup trigger."""
    out = product.home / "out.txt"
    at = (datetime.now() + timedelta(seconds=7)).strftime("%Y-%m-%d %H:%M:%S")  # still ahead when it is armed
    at2 = (datetime.strptime(at, "%Y-%m-%d %H:%M:%S") + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    product.write("early.yaml", CAUGHT_UP_AND_STARTUP.format(at=at, at2=at2, out=out))
    with product.daemon() as d:  # arms the `at` (still in the future) and runs the startup trigger
        assert wait_until(lambda: out.exists() and out.read_text().split() == ["startup"])
        assert d.stop() == 0
    out.unlink()
    wait_until(lambda: datetime.now() > datetime.strptime(at2, "%Y-%m-%d %H:%M:%S") + timedelta(seconds=1), 14)
    with product.daemon() as d:  # the `at` passed while it was stopped: caught up at start, then the startup fire
        assert wait_until(lambda: out.exists() and len(out.read_text().split()) == 3, 15), d.log
        time.sleep(0.5)
        assert sorted(out.read_text().split()) == ["schedule", "schedule", "startup"], d.log
        assert "was not started" not in d.log
    kinds = sorted(r["trigger"].get("kind") for r in product.history() if r["status"] == "succeeded")
    assert kinds == ["schedule", "schedule", "startup", "startup"]


BUSY = """flowdeck: 1
name: Busy
triggers:
  - watch: {{path: "{folder}", pattern: "*.job", debounce: 0.3s}}
policy: {{overlap: {overlap}}}
steps:
  begin:
    do: file.write
    with: {{path: "{out}", content: "start {{{{ trigger.name }}}}", append: true, newline: true}}
    next: pause
  pause:
    do: wait
    with: {{duration: 0.6s}}
    next: end
  end:
    do: file.write
    with: {{path: "{out}", content: "end {{{{ trigger.name }}}}", append: true, newline: true}}
"""


def _busy(product: Product, overlap: str, files: int) -> list[str]:
    folder = product.home / "jobs"
    folder.mkdir()
    out = product.home / "busy.txt"
    product.write("busy.yaml", BUSY.format(folder=folder, overlap=overlap, out=out))
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(1.0)  # run processes ready: the fires do not wait for one
        for i in range(files):
            (folder / f"{i}.job").write_text("x")
        assert wait_until(lambda: out.exists() and out.read_text().count("end") == files, 20), d.log
        d.stop()
    return out.read_text().splitlines()


@pytest.mark.promise("triggers.md", "Policy")
def test_queue_runs_fires_one_after_the_other(product: Product) -> None:
    """`overlap: queue` runs a fire when the previous run ends: one after the other, none dropped."""
    lines = _busy(product, "queue", 3)
    assert len(lines) == 6
    for i in range(0, 6, 2):  # never two at once: each start is followed by its own end
        assert lines[i].replace("start", "end") == lines[i + 1], lines
    assert sorted(line.split()[1] for line in lines[::2]) == ["0.job", "1.job", "2.job"]


@pytest.mark.promise("triggers.md", "Policy")
def test_parallel_lets_runs_overlap(product: Product) -> None:
    """`overlap: parallel` lets runs of the same workflow overlap."""
    lines = _busy(product, "parallel", 2)
    assert [line.split()[0] for line in lines] == ["start", "start", "end", "end"], lines


PAUSED = """flowdeck: 1
name: Paused
triggers:
  - watch: {{path: "{folder}", pattern: "*", debounce: 0.3s}}
steps:
  s: {{do: log, with: {{message: hi}}}}
"""


@pytest.mark.promise("triggers.md", "Fires that did not run")
def test_a_fire_while_paused_is_recorded_as_not_run(product: Product) -> None:
    """A watch fire while everything is paused does not run and is in the history as skipped with its reason."""
    folder = product.home / "drop"
    folder.mkdir()
    product.write("paused.yaml", PAUSED.format(folder=folder))
    state = product.state / "flowdeck" / "scheduler-state.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text('{"paused": true}')  # what pausing in the app saves
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(0.3)
        (folder / "a.txt").write_text("x")
        assert d.wait_log("came while everything is paused; not run", 10), d.log
        assert wait_until(lambda: product.history(), 10)
        d.stop()
    rows = product.history()
    assert [(r["status"], r["trigger"]["kind"], r["error"]["message"]) for r in rows] == [
        ("skipped", "watch", "paused — triggers were paused")
    ]


@pytest.mark.promise("triggers.md", "Fires that did not run")
def test_a_queued_fire_whose_file_broke_is_recorded_as_not_run(product: Product) -> None:
    """A queued fire whose file stops validating before its turn does not run (stale logic never runs) and is in
    the history as skipped: "the file did not validate (or was removed) when its turn came"."""
    folder = product.home / "jobs"
    folder.mkdir()
    out = product.home / "busy.txt"
    flow = product.write("busy.yaml", BUSY.format(folder=folder, overlap="queue", out=out).replace("0.6s", "2s"))
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(1.0)
        (folder / "0.job").write_text("x")
        assert wait_until(lambda: out.exists() and "start 0.job" in out.read_text(), 10), d.log
        (folder / "1.job").write_text("x")  # queued behind the run of 0.job
        time.sleep(0.8)
        flow.write_text("flowdeck: 1\nname: Busy\nsteps: [broken\n")
        assert d.wait_log("does not validate", 10), d.log
        assert wait_until(lambda: product.history("--status", "skipped"), 10), d.log
        d.stop()
    assert out.read_text().split() == ["start", "0.job", "end", "0.job"]
    skipped = product.history("--status", "skipped")
    assert [(r["workflow"], r["trigger"]["name"], r["error"]["message"]) for r in skipped] == [
        ("Busy", "1.job", "the file did not validate (or was removed) when its turn came")
    ]
