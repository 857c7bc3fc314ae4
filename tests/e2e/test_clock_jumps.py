"""The daemon across daylight-saving changes and a suspend, with its wall clock set by libfaketime
(docs/triggers.md, "Schedules" and "Policy"): the real daemon, the real APScheduler, the real clocks of the
process, only the wall clock's reading moved."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.support.faketime import FakeWallClock
from tests.support.product import Product, wait_until

DAILY = """flowdeck: 1
name: Night job
triggers:
  - schedule: {{cron: "30 {hour} * * *", timezone: America/New_York}}
steps:
  note:
    do: file.write
    with: {{path: "{out}", content: "{{{{ trigger.scheduled }}}}", append: true, newline: true}}
"""

MINUTELY = """flowdeck: 1
name: Minutely
triggers:
  - schedule: {{cron: "* * * * *"}}
policy: {{catch_up: last}}
steps:
  note:
    do: file.write
    with:
      path: "{out}"
      content: >-
        {{{{ trigger.scheduled }}}} {{{{ trigger.catch_up | default(false) }}}} {{{{ trigger.missed | default(0) }}}}
      append: true
      newline: true
"""


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _next_run(product: Product, clock: FakeWallClock) -> str:
    done = product.run("status", "--json", env=clock.env())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["workflows"][0]["next_run"]


@pytest.mark.promise("triggers.md", "Schedules")
def test_a_time_that_does_not_exist_runs_once_an_hour_later(product: Product, tmp_path) -> None:
    """A daily 02:30 (America/New_York) on the spring-forward night, 2026-03-08, when 02:00 EST became 03:00 EDT:
    the daemon, started at 03:29:53 EDT, runs it once at 03:30 EDT (07:30 UTC, the instant 02:30 EST would have
    been), and plans the next one at 02:30 EDT the next night."""
    clock = FakeWallClock(tmp_path, _utc("2026-03-08T07:29:53"))
    out = product.home / "night.txt"
    product.write("night.yaml", DAILY.format(hour=2, out=out))
    with product.daemon(env=clock.env()) as d:
        assert wait_until(out.exists, 40), d.log
        assert wait_until(lambda: clock.now() > _utc("2026-03-08T07:30:05").timestamp(), 20)
        following = _next_run(product, clock)
        d.stop()
    assert out.read_text().split() == ["2026-03-08T03:30:00-04:00"], d.log
    assert datetime.fromisoformat(following) == datetime.fromisoformat("2026-03-09T02:30:00-04:00"), following
    assert [r["status"] for r in product.history()] == ["succeeded"]


@pytest.mark.promise("triggers.md", "Schedules")
def test_a_time_that_happens_twice_runs_once_at_the_first(product: Product, tmp_path) -> None:
    """A daily 01:30 (America/New_York) on the fall-back night, 2026-11-01, when 02:00 EDT became 01:00 EST: it runs
    at the first 01:30 (EDT, 05:30 UTC); when the wall clock then reaches the second 01:30 (EST, 06:30 UTC) nothing
    runs, and the next run is 01:30 EST the next night."""
    clock = FakeWallClock(tmp_path, _utc("2026-11-01T05:29:53"))
    out = product.home / "night.txt"
    product.write("night.yaml", DAILY.format(hour=1, out=out))
    with product.daemon(env=clock.env()) as d:
        assert wait_until(out.exists, 40), d.log
        # an hour on: the clock is set ahead to 4 s before the second 01:30, and we wait until it is past
        clock.jump(_utc("2026-11-01T06:29:56").timestamp() - clock.now())
        assert wait_until(lambda: clock.now() > _utc("2026-11-01T06:30:06").timestamp(), 30)
        following = _next_run(product, clock)
        d.stop()
    assert out.read_text().split() == ["2026-11-01T01:30:00-04:00"], d.log
    assert datetime.fromisoformat(following) == datetime.fromisoformat("2026-11-02T01:30:00-05:00"), following
    assert [r["status"] for r in product.history()] == ["succeeded"]


@pytest.mark.promise("triggers.md", "Policy")
def test_after_a_suspend_the_missed_fires_are_looked_at_at_once(product: Product, tmp_path) -> None:
    """A suspend of ten minutes (the wall clock jumps, the monotonic clock does not): within the 2 s check the
    daemon logs the jump, runs the newest missed fire of a minutely schedule at once (`catch_up: last`, with
    `trigger.catch_up` and `trigger.missed`), long before the next minute, and records the others as not run."""
    clock = FakeWallClock(tmp_path, _utc("2026-12-01T08:00:54"))
    out = product.home / "minutely.txt"
    product.write("minutely.yaml", MINUTELY.format(out=out))
    with product.daemon(env=clock.env()) as d:
        assert wait_until(out.exists, 40), d.log
        clock.jump(600)
        jumped = clock.now()
        assert wait_until(lambda: len(out.read_text().splitlines()) == 2, 15), d.log
        caught_up_after = clock.now() - jumped
        d.wait_log("ahead of the monotonic clock", 5)
        d.stop()
    first, second = (line.split() for line in out.read_text().splitlines())
    assert first == ["2026-12-01T08:01:00+00:00", "False", "0"], first
    assert second == ["2026-12-01T08:11:00+00:00", "True", "10"], second
    assert caught_up_after < 10, caught_up_after  # the next regular fire would have been 08:12, ~59 s away
    assert "10 fire(s) missed since 2026-12-01T08:02:00+00:00 because the computer slept" in d.log
    skipped = [r for r in product.history() if r["status"] == "skipped"]
    assert len(skipped) == 1 and "slept" in json.dumps(skipped[0]), skipped


HALF_HOURLY = """flowdeck: 1
name: Half-hourly
triggers:
  - schedule: {{cron: "*/30 * * * *", timezone: America/New_York}}
steps:
  note:
    do: file.write
    with: {{path: "{out}", content: "{{{{ trigger.scheduled }}}}", append: true, newline: true}}
"""


@pytest.mark.promise("triggers.md", "Schedules")
@pytest.mark.parametrize(
    ("start", "fired", "following"),
    [
        # spring forward: 01:59:53 EST, then 03:00 EDT seven seconds later
        ("2026-03-08T06:59:53", "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00"),
        # fall back: 01:59:53 EDT, then 01:00 EST seven seconds later (the wall clock goes back an hour)
        ("2026-11-01T05:59:53", "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00"),
    ],
)
def test_a_half_hourly_cron_follows_real_time_through_the_change(
    product: Product, tmp_path, start: str, fired: str, following: str
) -> None:
    """`*/30 * * * *` in America/New_York across both changes: the fire due 7 s after 01:59:53 runs then (not an
    hour later, and not for every skipped wall-clock half hour), and the next is 30 real minutes after it."""
    clock = FakeWallClock(tmp_path, _utc(start))
    out = product.home / "half.txt"
    product.write("half.yaml", HALF_HOURLY.format(out=out))
    with product.daemon(env=clock.env()) as d:
        assert wait_until(out.exists, 30), d.log
        planned = _next_run(product, clock)
        d.stop()
    assert out.read_text().split() == [fired], d.log
    assert datetime.fromisoformat(planned) == datetime.fromisoformat(following), planned
    gap = datetime.fromisoformat(planned) - datetime.fromisoformat(fired)
    assert gap.total_seconds() == 1800, gap
