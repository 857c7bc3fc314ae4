"""Schedule triggers with the real daemon (docs/triggers.md, "Schedules" and "Policy"); short waits, real clock."""

from __future__ import annotations

import itertools
import re
import time
from datetime import datetime, timedelta

import pytest

from tests.support.product import Product, wait_until

NOTE = """flowdeck: 1
name: {name}
triggers:
  - schedule: {{{schedule}}}
{policy}steps:
  note:
    do: file.write
    with:
      path: "{out}"
      content: "{{{{ trigger.scheduled }}}} {{{{ trigger.late }}}} {{{{ trigger.catch_up | default(false) }}}}"
      append: true
      newline: true
"""


def _flow(product: Product, schedule: str, policy: str = "", name: str = "Clock") -> tuple:
    out = product.home / f"{name}.txt"
    product.write(f"{name.lower()}.yaml", NOTE.format(name=name, schedule=schedule, policy=policy, out=out))
    return out


def _fires(out) -> list[tuple[datetime, float, bool]]:
    if not out.exists():
        return []
    rows = [line.split() for line in out.read_text().splitlines()]
    return [(datetime.fromisoformat(s), float(late), flag == "True") for s, late, flag in rows]


@pytest.mark.promise("triggers.md", "Schedules")
def test_every_fires_at_exact_multiples_and_the_run_sees_when(product: Product) -> None:
    """`every` fires are planned at exact multiples, so they do not drift; the run sees `trigger.scheduled` (the
    planned moment) and `trigger.late` (seconds late when started)."""
    out = _flow(product, "every: 1s")
    with product.daemon() as d:
        assert wait_until(lambda: len(_fires(out)) >= 4, 20), d.log
        d.stop()
    fires = _fires(out)
    gaps = [(b[0] - a[0]).total_seconds() for a, b in itertools.pairwise(fires)]
    assert all(g == 1.0 for g in gaps), fires  # exactly one second apart: no drift
    assert all(0 <= late < 1.0 for _, late, _ in fires), fires
    assert len({f[0].microsecond for f in fires}) == 1


@pytest.mark.promise("triggers.md", "Schedules")
def test_every_keeps_its_rhythm_across_a_restart(product: Product) -> None:
    """`every` counts from the previous fire, also across restarts: after a restart the fires stay on the same
    rhythm (multiples of the interval from the first fire)."""
    out = _flow(product, "every: 2s", "policy: {catch_up: none, misfire_grace: 1s}\n")
    with product.daemon() as d:
        assert wait_until(lambda: len(_fires(out)) >= 1, 20), d.log
        d.stop()
    first = _fires(out)[0][0]
    time.sleep(1.3)  # restart off the rhythm
    with product.daemon() as d:
        assert wait_until(lambda: len(_fires(out)) >= 3, 20), d.log
        d.stop()
    offsets = [(when - first).total_seconds() for when, _, _ in _fires(out)]
    assert all(o % 2 == 0 for o in offsets), offsets


@pytest.mark.promise("triggers.md", "Schedules")
def test_at_runs_once_at_its_moment(product: Product) -> None:
    """`at` runs once, at its moment."""
    at = (datetime.now() + timedelta(seconds=4)).replace(microsecond=0)
    out = _flow(product, f'at: "{at:%Y-%m-%d %H:%M:%S}"')
    with product.daemon() as d:
        assert wait_until(lambda: _fires(out), 20), d.log
        time.sleep(1.5)
        d.stop()
    fires = _fires(out)
    assert len(fires) == 1 and fires[0][0].replace(tzinfo=None) == at.astimezone().replace(tzinfo=None), fires
    assert [r["status"] for r in product.history()] == ["succeeded"]


@pytest.mark.promise("triggers.md", "Schedules")
def test_an_at_already_past_when_first_armed_never_runs(product: Product) -> None:
    """An `at` moment that was already past when the file was first armed never runs (validating warns)."""
    at = datetime.now() - timedelta(minutes=2)
    out = _flow(product, f'at: "{at:%Y-%m-%d %H:%M:%S}"')
    check = product.run("validate", str(product.workspace / "clock.yaml"))
    assert "past" in (check.stdout + check.stderr), check
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(2)
        d.stop()
    assert not out.exists()
    assert product.history() == []


@pytest.mark.promise("triggers.md", "Policy")
def test_catch_up_none_runs_nothing_missed_beyond_the_grace(product: Product) -> None:
    """`catch_up: none` runs nothing that was missed while the daemon was stopped, except a fire still within
    `misfire_grace`; the missed fires are in the history as skipped."""
    out = _flow(product, "every: 1s", "policy: {catch_up: none, misfire_grace: 1s}\n")
    with product.daemon() as d:
        assert wait_until(lambda: _fires(out), 20), d.log
        d.stop()
    time.sleep(4)
    with product.daemon() as d:
        assert d.wait_log("missed since", 15), d.log
        assert wait_until(lambda: product.history("--status", "skipped"), 10)
        time.sleep(0.5)
        d.stop()
    match = re.search(r"(\d+) fire\(s\) missed since .*; running (\d+)(, the newest, still within misfire_grace)? "
                      r"\(catch_up: none\)", d.log)  # fmt: skip
    assert match, d.log
    missed, ran = int(match.group(1)), int(match.group(2))
    caught = [late for _, late, caught in _fires(out) if caught]
    assert ran in (0, 1) and len(caught) == ran and all(late <= 1.0 for late in caught), d.log
    why = "catch_up: none — a missed fire runs only within misfire_grace"
    skipped = [r for r in product.history("--status", "skipped") if r["error"]["message"].startswith(why)]
    assert [r["error"]["count"] for r in skipped] == [missed - ran] and missed - ran >= 2


@pytest.mark.promise("triggers.md", "Policy")
def test_fires_while_the_file_did_not_validate_are_not_owed_and_are_recorded(product: Product) -> None:
    """Fires that fell while a file did not validate are not owed: when it is valid again they are logged as not
    run ("N fire(s) since ... not run: the file did not validate ...") and are in the history as skipped."""
    out = _flow(product, "every: 1s")
    flow = product.workspace / "clock.yaml"
    good = flow.read_text()
    with product.daemon() as d:
        assert wait_until(lambda: _fires(out), 20), d.log
        flow.write_text(good.replace("steps:", "steps: [broken"))
        assert d.wait_log("does not validate", 10), d.log
        time.sleep(3)
        before = len(_fires(out))
        flow.write_text(good)
        assert d.wait_log("not run: the file did not validate", 10), d.log
        assert wait_until(lambda: product.history("--status", "skipped"), 10)
        d.stop()
    line = re.search(r"(\d+) fire\(s\) since \S+ not run: the file did not validate", d.log)
    assert line and int(line.group(1)) >= 2, d.log
    assert not any(caught for _, _, caught in _fires(out)[before:])  # nothing caught up
    why = "the file did not validate (or was not in the workspace) when it was due"
    skipped = [r for r in product.history("--status", "skipped") if r["error"]["message"].startswith(why)]
    assert [r["error"]["count"] for r in skipped] == [int(line.group(1))]


@pytest.mark.promise("triggers.md", "Policy")
def test_a_fire_late_within_misfire_grace_starts_as_a_normal_fire(product: Product) -> None:
    """`misfire_grace` is how late a fire may still start as a normal fire: one fire missed while the daemon
    restarted, later by less than the grace, runs as a normal fire (no catch-up), even with `catch_up: none`."""
    out = _flow(product, "every: 4s", "policy: {catch_up: none}\n")
    with product.daemon() as d:
        assert wait_until(lambda: _fires(out), 20), d.log
        d.stop()
    first = _fires(out)[0][0]
    wait_until(lambda: datetime.now().astimezone() > first + timedelta(seconds=4.5), 10)
    with product.daemon() as d:
        assert wait_until(lambda: len(_fires(out)) >= 2, 20), d.log
        d.stop()
    when, late, caught_up = _fires(out)[1]
    assert (when - first).total_seconds() == 4.0  # the fire that fell while it was stopped
    assert late > 0.4 and not caught_up, _fires(out)
    assert "missed since" not in d.log
