"""Fires that do not run leave a record in the history with their reason, shown by `flowdeck history`."""

from __future__ import annotations

import time

import pytest

from tests.support.product import Product, wait_until

SLOW_EVERY = """flowdeck: 1
name: Slow
triggers:
  - schedule: {every: 1s}
steps:
  pause:
    do: wait
    with: {duration: 3s}
"""
STORM = """flowdeck: 1
name: Storm
triggers:
  - watch: {{path: "{folder}", pattern: "*.csv", debounce: 0.3s}}
steps:
  pause:
    do: wait
    with: {{duration: 2s}}
"""
REASON = "overlap: skip — its previous run was still going"


@pytest.mark.promise("triggers.md", "Policy")
def test_a_fire_skipped_by_overlap_is_in_the_history_with_its_reason(product: Product) -> None:
    """`overlap: skip` drops a fire while the previous run is going, and the history says so: a row with status
    `skipped` and the reason, which `flowdeck history` lists and `--status skipped` filters."""
    product.write("slow.yaml", SLOW_EVERY)
    with product.daemon() as d:
        assert d.wait_log("a schedule run was not started", 20), d.log
        assert wait_until(lambda: product.history("--status", "skipped"), 10)
        d.stop(timeout=30)
    skipped = product.history("--status", "skipped")
    assert all(r["status"] == "skipped" for r in skipped)
    skipped = [r for r in skipped if r["error"]["message"] != "the service was stopping"]  # a fire during the stop
    assert len(skipped) == 1, skipped  # the fires skipped while the run went on share one row
    row = skipped[0]
    assert (row["workflow"], row["status"], row["trigger"]["kind"], row["steps"]) == ("Slow", "skipped", "schedule", [])
    assert row["error"]["message"].startswith(REASON)
    listing = product.run("history", "--status", "skipped")
    assert listing.returncode == 0
    line = next(x for x in listing.stdout.splitlines() if REASON in x)
    assert "skipped" in line and REASON in line and "Slow" in line, listing.stdout


@pytest.mark.promise("triggers.md", "Policy")
def test_a_storm_of_skipped_fires_is_one_row_with_a_count(product: Product) -> None:
    """A storm of skipped fires (a watch on a busy folder) does not flood the history: the same reason within a
    minute is one row with a count, and every fire is accounted for (runs plus the count)."""
    folder = product.home / "busy"
    folder.mkdir()
    product.write("storm.yaml", STORM.format(folder=folder))
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(1.0)  # the first run process is ready: the first fire begins at once, the others are skipped
        for i in range(20):
            (folder / f"part-{i}.csv").write_text("a,b\n")
        assert wait_until(lambda: d.log.count("a watch run was not started") >= 18, 15), d.log
        time.sleep(2.5)  # a fire queued behind a run that had not begun yet (a slow machine) runs now
        d.stop(timeout=30)
    rows = [r for r in product.history() if r["error"] is None or r["error"]["message"] != "the service was stopping"]
    ran = [r for r in rows if r["status"] != "skipped"]
    skipped = [r for r in rows if r["status"] == "skipped"]
    assert len(skipped) == 1, skipped
    count = skipped[0]["error"]["count"]
    assert count + len(ran) == 20 and count >= 18, rows
    assert skipped[0]["error"]["message"].startswith(f"{REASON} ({count} fires, the last at ")


@pytest.mark.promise("triggers.md", "Policy")
def test_a_storm_while_the_first_run_waits_for_its_process_does_not_pile_up(product: Product) -> None:
    """Under `overlap: skip`, one fire that comes while the previous run still waits for its process runs after
    it; further ones are dropped (recorded), so a storm at start does not pile up runs."""
    folder = product.home / "busy"
    folder.mkdir()
    product.write("storm.yaml", STORM.format(folder=folder))
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        for i in range(20):  # at once: the first run may still wait for the daemon's first run process
            (folder / f"new-{i}.csv").write_text("a,b\n")
        assert wait_until(lambda: d.log.count("a watch run was not started") >= 18, 15), d.log
        assert wait_until(lambda: product.history("--status", "succeeded"), 15), d.log
        time.sleep(2.5)  # a queued run would start now
        d.stop(timeout=30)
    rows = product.history()
    ran = [r for r in rows if r["status"] != "skipped"]
    skipped = sum(r["error"]["count"] for r in rows if r["status"] == "skipped")
    assert len(ran) in (1, 2) and len(ran) + skipped == 20, rows
