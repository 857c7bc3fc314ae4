"""``flowdeck status``: who runs the workspace (read, never taken), each workflow's state, its next run to the second
when it is within the hour, an invalid workflow as ``[invalid]`` with its problems, and the same as JSON."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from tests.support.product import Product

SOON = """flowdeck: 1
name: Soon
triggers:
  - schedule: {every: 10m}
steps:
  say: {do: log, with: {message: hi}}
"""
DAILY = """flowdeck: 1
name: Daily
triggers:
  - schedule: {every: 1d}
steps:
  say: {do: log, with: {message: hi}}
"""
BROKEN = """flowdeck: 1
name: Broken
steps:
  say: {do: no.such.block}
"""


@pytest.mark.promise("triggers.md", "flowdeck status")
def test_status_shows_next_runs_states_and_problems(product: Product) -> None:
    """A next run within the hour is shown to the second, `in 9 min 59 s (08:10:00)`; later ones as date and time;
    an invalid workflow is `[invalid]` with its problems and no next run; with nothing running it says
    `not running: nothing fires`."""
    product.write("soon.yaml", SOON)
    product.write("daily.yaml", DAILY)
    product.write("broken.yaml", BROKEN)
    before = datetime.now()
    done = product.run("status")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert done.stderr == ""  # the problems are in the listing, not logged twice
    assert out.splitlines()[1] == "not running: nothing fires"
    soon = re.search(r"soon\.yaml  \[enabled\]  Soon\n  trigger: every 10 minutes\n  next run: (.*)\n", out)
    assert soon, out
    shown = re.fullmatch(r"in (\d+) min (\d+) s \((\d\d):(\d\d):(\d\d)\)", soon.group(1))
    assert shown, soon.group(1)
    minutes, seconds, hh, mm, ss = map(int, shown.groups())
    assert 9 * 60 <= minutes * 60 + seconds <= 10 * 60
    at = before.replace(hour=hh, minute=mm, second=ss, microsecond=0)
    if at < before:
        at += timedelta(days=1)
    assert timedelta(minutes=9) <= at - before <= timedelta(minutes=10, seconds=2)
    assert re.search(r"daily\.yaml  \[enabled\]  Daily\n.*\n  next run: \d{4}-\d\d-\d\d \d\d:\d\d", out), out
    broken = out[out.index("broken.yaml") :].split("\n\n")[0]
    assert broken.splitlines()[0] == "broken.yaml  [invalid]  broken"
    assert "unknown block 'no.such.block'" in broken
    assert "broken.yaml:4:" in broken
    assert "next run" not in broken


@pytest.mark.promise("triggers.md", "flowdeck status")
def test_status_says_who_runs_the_workspace_without_taking_it(product: Product) -> None:
    """`flowdeck status` says `run by flowdeck daemon (pid N)` while a daemon runs the workspace; it only reads:
    the daemon keeps the workspace (a second daemon is still refused afterwards)."""
    product.write("soon.yaml", SOON)
    with product.daemon() as daemon:
        assert daemon.wait_log("watching"), daemon.log
        done = product.run("status")
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[1] == f"run by flowdeck daemon (pid {daemon.proc.pid})"
        with product.daemon() as second:
            assert second.proc.wait(20) == 1, second.log
        assert daemon.proc.poll() is None
    assert product.run("status").stdout.splitlines()[1] == "not running: nothing fires"


@pytest.mark.promise("triggers.md", "flowdeck status")
def test_status_json(product: Product) -> None:
    """`flowdeck status --json` prints the same as one JSON object: workspace, paused, run_by, and per workflow its
    file, name, state, triggers, next run (ISO 8601) and problems."""
    product.write("soon.yaml", SOON)
    product.write("broken.yaml", BROKEN)
    done = product.run("status", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["workspace"] == str(product.workspace)
    assert data["paused"] is False
    assert data["run_by"] is None
    by_file = {w["file"]: w for w in data["workflows"]}
    assert by_file["soon.yaml"]["state"] == "enabled"
    assert by_file["soon.yaml"]["triggers"] == ["every 10 minutes"]
    assert datetime.fromisoformat(by_file["soon.yaml"]["next_run"]) > datetime.now().astimezone()
    assert by_file["broken.yaml"]["state"] == "invalid"
    assert by_file["broken.yaml"]["next_run"] is None
    assert any("no.such.block" in p for p in by_file["broken.yaml"]["problems"])
