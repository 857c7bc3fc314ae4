"""The daemon's log: one line per run started and one per run finished, with the error line of a failed run."""

from __future__ import annotations

import re

import pytest

from tests.support.product import Product, wait_until

GOOD = "flowdeck: 1\nname: Good\ntriggers:\n  - startup: {}\nsteps:\n  s:\n    do: log\n    with: {message: hi}\n"
BAD = """flowdeck: 1
name: Bad
triggers:
  - startup: {}
steps:
  read:
    do: file.read
    with: {path: /nonexistent/missing.txt}
"""


@pytest.mark.promise("triggers.md", "Triggers and the scheduling service")
def test_the_daemon_log_has_a_line_per_run_started_and_finished(product: Product) -> None:
    """The daemon logs one line when a run starts and one when it finishes: workflow, run id, trigger, status,
    duration, and for a failed run the first line of its error (on stderr and in daemon.log)."""
    product.write("good.yaml", GOOD)
    product.write("bad.yaml", BAD)
    with product.daemon() as d:
        assert wait_until(lambda: d.log.count("run finished:") == 2, 20), d.log
        d.stop()
    runs = {r["workflow"]: r for r in product.history()}
    for text in (d.log, product.daemon_log_file.read_text()):
        good, bad = runs["Good"]["run_id"], runs["Bad"]["run_id"]
        assert text.count(f"run started: Good (run {good}, trigger startup)") == 1, text
        assert re.search(rf"run finished: Good \(run {good}, trigger startup\): succeeded in \d+\.\d\d s\n", text)
        assert f"run started: Bad (run {bad}, trigger startup)" in text
        line = re.search(rf"run finished: Bad \(run {bad}, trigger startup\): failed in \d+\.\d\d s: read: (.+)", text)
        assert line and "missing.txt" in line.group(1), text
