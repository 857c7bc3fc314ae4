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
  - startup: {{}}
steps:
  note:
    do: file.write
    with: {{path: "{out}", content: "{{{{ trigger.kind }}}}", append: true, newline: true}}
"""


@pytest.mark.promise("triggers.md", "Policy")
def test_a_fire_while_the_earlier_run_waits_for_its_process_still_runs(product: Product) -> None:
    """`overlap: skip` drops a fire only while the previous run is really going: a startup fire that comes while
    the caught-up run (fired a moment earlier) still waits for the daemon's first run process runs too, after it."""
    out = product.home / "out.txt"
    at = (datetime.now() + timedelta(seconds=4)).strftime("%Y-%m-%d %H:%M:%S")
    product.write("early.yaml", CAUGHT_UP_AND_STARTUP.format(at=at, out=out))
    with product.daemon() as d:  # arms the `at` (still in the future) and runs the startup trigger
        assert wait_until(lambda: out.exists() and out.read_text().split() == ["startup"])
        assert d.stop() == 0
    out.unlink()
    wait_until(lambda: datetime.now() > datetime.strptime(at, "%Y-%m-%d %H:%M:%S") + timedelta(seconds=1), 10)
    with product.daemon() as d:  # the `at` passed while it was stopped: caught up at start, then the startup fire
        assert wait_until(lambda: out.exists() and len(out.read_text().split()) == 2, 15), d.log
        time.sleep(0.5)
        assert sorted(out.read_text().split()) == ["schedule", "startup"], d.log
        assert "was not started" not in d.log
    kinds = sorted(r["trigger"].get("kind") for r in product.history() if r["status"] == "succeeded")
    assert kinds == ["schedule", "startup", "startup"]
