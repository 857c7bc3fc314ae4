"""Cron schedules with the real daemon and `flowdeck status --json` (docs/triggers.md, "Schedules")."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.product import Product, wait_until

MINUTELY = """flowdeck: 1
name: Minutely
triggers:
  - schedule: {{cron: "* * * * *"}}
steps:
  note:
    do: file.write
    with: {{path: "{out}", content: "{{{{ trigger.scheduled }}}}", append: true, newline: true}}
"""


def _status(product: Product) -> dict:
    done = product.run("status", "--json")
    assert done.returncode == 0, done.stderr
    return {w["file"]: w for w in json.loads(done.stdout)["workflows"]}


@pytest.mark.promise("triggers.md", "Schedules")
def test_a_cron_every_minute_fires_on_the_minute_once_per_minute(product: Product) -> None:
    """`cron: "* * * * *"` fires at the minute boundary: the run sees `trigger.scheduled` on :00 seconds, it runs
    once in that minute, and the next run is planned one minute later."""
    out = product.home / "minutely.txt"
    product.write("minutely.yaml", MINUTELY.format(out=out))
    with product.daemon() as d:
        assert wait_until(lambda: out.exists(), 65), d.log
        scheduled = datetime.fromisoformat(out.read_text().split()[0])
        following = wait_until(lambda: _status(product)["minutely.yaml"]["next_run"], 10)
        d.stop()
    assert (scheduled.second, scheduled.microsecond) == (0, 0), scheduled
    assert out.read_text().split() == [scheduled.isoformat()]  # once, not several times in the minute
    assert datetime.fromisoformat(following) == scheduled + timedelta(minutes=1)
    assert [r["status"] for r in product.history()] == ["succeeded"]


ZONED = """flowdeck: 1
name: {name}
triggers:
  - schedule: {{cron: "30 8 * * *"{zone}}}
steps:
  say: {{do: log, with: {{message: hi}}}}
"""


def _next_local(zone: ZoneInfo, now: datetime) -> datetime:
    """The next 08:30 on the wall clock of ``zone`` after ``now``."""
    local = now.astimezone(zone)
    at = local.replace(hour=8, minute=30, second=0, microsecond=0)
    return at if at > local else (at + timedelta(days=1)).replace(hour=8, minute=30)


@pytest.mark.promise("triggers.md", "Schedules")
@pytest.mark.promise("triggers.md", "flowdeck status")
def test_a_schedule_timezone_is_used_for_its_next_run(product: Product) -> None:
    """A cron with a `timezone` runs on that zone's wall clock: `flowdeck status --json` shows its next run at 08:30
    in that zone (Asia/Tokyo, Pacific/Honolulu), a different instant from the same cron in UTC."""
    zones = {"tokyo.yaml": "Asia/Tokyo", "honolulu.yaml": "Pacific/Honolulu", "utc.yaml": "UTC"}
    for file, zone in zones.items():
        product.write(file, ZONED.format(name=file.split(".")[0], zone=f", timezone: {zone}"))
    now = datetime.now(ZoneInfo("UTC"))
    status = _status(product)
    shown = {file: datetime.fromisoformat(status[file]["next_run"]) for file in zones}
    for file, zone in zones.items():
        assert shown[file] == _next_local(ZoneInfo(zone), now), (file, status[file])
        assert (shown[file].astimezone(ZoneInfo(zone)).hour, shown[file].minute) == (8, 30)
    assert len(set(shown.values())) == 3, shown
