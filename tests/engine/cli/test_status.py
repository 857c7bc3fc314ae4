"""`flowdeck status DIR` as a real CLI subprocess: triggers in words, the next run, flags and problem files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

FLOW = """flowdeck: 1
name: {name}
triggers:
{triggers}
steps:
  a: {{do: {block}, with: {{message: hi}}}}
"""
FILES = {
    "daily": '  - schedule: {cron: "0 8 * * mon-fri", timezone: UTC}',
    "often": "  - schedule: {every: 10m}\n  - webhook: {path: lights}",
    "quiet": "  - startup: {}",
    "rest": '  - schedule: {cron: "30 6 * * *", timezone: UTC}',
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    for name, triggers in FILES.items():
        (ws / f"{name}.yaml").write_text(FLOW.format(name=name, triggers=triggers, block="log"), encoding="utf-8")
    broken = FLOW.format(name="broken", triggers="  - schedule: {every: 1h}", block="wiat")
    (ws / "broken.yaml").write_text(broken, encoding="utf-8")
    return ws


def status(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "TZ": "UTC"}
    return subprocess.run(
        [sys.executable, "-m", "engine", "status", *args], capture_output=True, text=True, env=env, timeout=60
    )


def _sections(stdout: str) -> dict[str, list[str]]:
    """File name → the lines under it."""
    found: dict[str, list[str]] = {}
    for block in stdout.strip().split("\n\n")[1:]:
        head, *rest = block.splitlines()
        found[head.split()[0]] = [head, *(r.strip() for r in rest)]
    return found


def _next_weekday_8(now: datetime) -> datetime:
    day = now.replace(hour=8, minute=0, second=0, microsecond=0)
    while day <= now or day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def test_status_lists_triggers_next_runs_flags_and_problems(tmp_path: Path, workspace: Path) -> None:
    state = tmp_path / "state" / "flowdeck"
    state.mkdir(parents=True)
    disabled = {"disabled": [str((workspace / "rest.yaml").resolve())]}
    (state / "scheduler-state.json").write_text(json.dumps(disabled), encoding="utf-8")
    before = datetime.now(UTC)
    done = status(tmp_path, str(workspace))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"workspace: {workspace}"
    got = _sections(done.stdout)
    assert sorted(got) == ["broken.yaml", "daily.yaml", "often.yaml", "quiet.yaml", "rest.yaml"]
    assert got["daily.yaml"][:2] == ["daily.yaml  [enabled]  daily", "trigger: every weekday at 08:00 (UTC)"]
    daily = _next_weekday_8(before)
    if daily - before < timedelta(hours=1):  # run between 07:00 and 08:00 UTC: within the hour, to the second
        assert re.fullmatch(r"next run: in \d+ min \d+ s \(\d\d:00:00\)", got["daily.yaml"][2]), got["daily.yaml"]
    else:
        assert got["daily.yaml"][2] == f"next run: {_minute(daily)}"
    often = got["often.yaml"]
    assert often[:3] == [
        "often.yaml  [enabled]  often",
        "trigger: every 10 minutes",
        "trigger: when /hook/lights is called",
    ]
    # within the hour, to the second: "in 9 min 59 s (22:01:00)"
    assert re.fullmatch(r"next run: in (9 min [0-5]?\d|10 min 0) s \(\d\d:\d\d:\d\d\)", often[3]), often[3]
    assert got["quiet.yaml"] == ["quiet.yaml  [enabled]  quiet", "trigger: when the service starts", "next run: -"]
    assert got["rest.yaml"] == ["rest.yaml  [disabled]  rest", "trigger: every day at 06:30 (UTC)", "next run: -"]
    head, *rest = got["broken.yaml"]
    assert head == "broken.yaml  [invalid]  broken"  # no next run: an invalid workflow does not fire
    assert rest[0].startswith("problem: ") and "broken.yaml:6" in rest[0] and "unknown block 'wiat'" in rest[0]


def test_status_says_when_everything_is_paused(tmp_path: Path, workspace: Path) -> None:
    state = tmp_path / "state" / "flowdeck"
    state.mkdir(parents=True)
    (state / "scheduler-state.json").write_text(json.dumps({"paused": True}), encoding="utf-8")
    done = status(tmp_path, str(workspace))
    assert done.returncode == 0 and done.stdout.splitlines()[0] == f"workspace: {workspace}  (all paused)"


def test_status_of_a_missing_folder(tmp_path: Path) -> None:
    done = status(tmp_path, str(tmp_path / "nope"))
    assert done.returncode == 1 and "no such folder" in done.stderr
