"""Catch-up across a real daemon restart: fires missed while the daemon was stopped run as ``catch_up`` says."""

from __future__ import annotations

import re
import time

import pytest

from tests.support.product import Product, wait_until

EVERY = """flowdeck: 1
name: Rhythm
triggers:
  - schedule: {{every: 2s}}
policy: {{catch_up: {mode}{extra}}}
steps:
  begin:
    do: file.write
    with:
      path: "{out}"
      content: "start {{{{ trigger.catch_up | default(false) }}}} {{{{ trigger.scheduled }}}}"
      append: true
      newline: true
    next: pause
  pause:
    do: wait
    with: {{duration: 0.3s}}
    next: end
  end:
    do: file.write
    with:
      path: "{out}"
      content: "end {{{{ trigger.catch_up | default(false) }}}} {{{{ trigger.scheduled }}}}"
      append: true
      newline: true
"""


def _lines(product: Product) -> list[str]:
    out = product.home / "out.txt"
    return out.read_text().splitlines() if out.exists() else []


def _missed_while_stopped(product: Product, mode: str, extra: str = "") -> tuple[str, list[dict]]:
    """Run the daemon until the schedule fired once, stop it for about 7 s, start it again; its log and the runs
    that the second daemon started by catching up."""
    product.write("rhythm.yaml", EVERY.format(mode=mode, extra=extra, out=product.home / "out.txt"))
    with product.daemon() as d:
        assert wait_until(lambda: any(line.startswith("end") for line in _lines(product)), 15), d.log
        assert d.stop() == 0
    time.sleep(7)
    with product.daemon() as d:
        assert d.wait_log("missed since", 15), d.log
        log = d.log
        match = re.search(r"(\d+) fire\(s\) missed since .*; running (\d+)", log)
        assert match, log
        running = int(match.group(2))

        def settled() -> bool:
            caught_up = [r for r in product.history() if r["trigger"].get("catch_up")]
            return len(caught_up) >= running and not product.history_rows("SELECT 1 FROM runs WHERE status='running'")

        assert wait_until(settled, 20), log
        d.stop()
    caught = [r for r in product.history() if r["trigger"].get("catch_up") and r["status"] != "skipped"]
    return log, caught


@pytest.mark.promise("triggers.md", "Policy")
@pytest.mark.parametrize("overlap", ["", ", overlap: parallel"], ids=["skip", "parallel"])
def test_catch_up_all_runs_each_missed_fire_one_after_the_other(product: Product, overlap: str) -> None:
    """`catch_up: all` runs each missed fire, one after the other whatever the overlap policy (the default
    `overlap: skip`, and `parallel`), and the log line says how many were missed and how many ran."""
    log, caught = _missed_while_stopped(product, "all", overlap)
    missed, running = map(int, re.search(r"(\d+) fire\(s\) missed since .*; running (\d+)", log).groups())
    assert missed >= 3 and running == missed, log
    assert f"running {missed}, one after the other (catch_up: all)" in log
    assert len(caught) == missed and all(r["status"] == "succeeded" for r in caught), caught
    assert all(r["trigger"]["missed"] == missed for r in caught)
    assert len({r["trigger"]["scheduled"] for r in caught}) == missed  # each missed moment once
    lines = [line for line in _lines(product) if " True " in line]  # the caught-up runs' lines, in order
    assert len(lines) == 2 * missed
    for i in range(0, len(lines), 2):  # never two at once: each caught-up start is followed by its own end
        assert lines[i].replace("start", "end") == lines[i + 1], lines


@pytest.mark.promise("triggers.md", "Policy")
def test_catch_up_last_runs_the_newest_and_records_the_others(product: Product) -> None:
    """`catch_up: last` runs the newest missed fire once; the others are in the history as skipped, in one row
    with their count and the reason."""
    log, caught = _missed_while_stopped(product, "last")
    missed = int(re.search(r"(\d+) fire\(s\) missed since", log).group(1))
    assert "running 1, the newest (catch_up: last)" in log
    assert len(caught) == 1 and caught[0]["status"] == "succeeded"
    rows = product.history("--status", "skipped")
    # on a loaded machine an on-time fire can come while the caught-up run still runs (skipped for the overlap),
    # or as the daemon stops ("the service was stopping"): only the catch-up's own rows are counted here
    skipped = [r for r in rows if r["error"]["message"].startswith("catch_up")]
    assert len(skipped) == 1, [(s["trigger"], s["error"]) for s in rows]
    assert skipped[0]["error"]["count"] == missed - 1
    assert skipped[0]["error"]["message"].startswith(
        "catch_up: last — only the newest missed fire runs (missed because Flowdeck was not running)"
    )
    assert skipped[0]["steps"] == []


@pytest.mark.promise("triggers.md", "Fires that did not run")
def test_caught_up_fires_not_reached_before_a_stop_are_recorded(product: Product) -> None:
    """Caught-up fires still waiting for their turn when the daemon stops are in the history as skipped ("the
    service stopped before its turn came"): each missed fire is a run or part of a skipped row's count."""
    product.write("rhythm.yaml", EVERY.format(mode="all", extra="", out=product.home / "out.txt").replace("0.3s", "1s"))
    with product.daemon() as d:
        assert wait_until(lambda: any(line.startswith("end") for line in _lines(product)), 15), d.log
        assert d.stop() == 0
    time.sleep(5)
    with product.daemon("--grace", "0.2") as d:
        assert d.wait_log("run started:", 15), d.log
        assert d.stop() == 0
    missed = int(re.search(r"(\d+) fire\(s\) missed since", d.log).group(1))
    rows = product.history()
    caught = [r for r in rows if r["trigger"].get("catch_up") and r["status"] != "skipped"]
    why = "the service stopped before its turn came"
    left = [r for r in rows if r["status"] == "skipped" and r["error"]["message"].startswith(why)]
    assert caught and sum(r["error"]["count"] for r in left) == missed - len(caught), (missed, d.log, rows)
