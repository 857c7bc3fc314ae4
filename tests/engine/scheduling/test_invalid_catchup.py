"""Fires that fell while a file did not validate (or was not in the workspace) are not caught up when it is back;
fires missed while Flowdeck was closed before that still are. Manual clock, real APScheduler, engine and files."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.scheduling.clock import ManualClock
from engine.scheduling.service import Service
from tests.engine.scheduling.helpers import lines, service

FLOW = """flowdeck: 1
name: hourly
triggers:
  - schedule: {{cron: "0 * * * *", timezone: UTC}}
policy: {{catch_up: {mode}}}
steps:
  note:
    do: {block}
    with:
      path: "{out}"
      content: "{{{{ trigger.scheduled }}}} {{{{ trigger.get('missed', 0) }}}}"
      append: true
      newline: true
"""


def _write(svc: Service, out: Path, *, valid: bool, mode: str = "last") -> Path:
    flow = svc.workspace / "hourly.yaml"
    flow.write_text(FLOW.format(mode=mode, out=out, block="file.write" if valid else "file.wirte"), encoding="utf-8")
    return flow


def _caught_up(svc: Service) -> list[str]:
    found: list[str] = []
    svc.subscribe(lambda e: found.append(e.message) if e.kind == "caught_up" else None)
    return found


@pytest.mark.parametrize("mode", ["last", "all"])
def test_fires_while_invalid_are_not_caught_up(tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: str) -> None:
    clock = ManualClock(datetime(2027, 6, 1, 10, 30, tzinfo=UTC))
    svc, out = service(tmp_path, clock=clock), tmp_path / "out.txt"
    _write(svc, out, valid=True, mode=mode)
    caught = _caught_up(svc)
    svc.start()
    try:
        _write(svc, out, valid=False, mode=mode)
        svc.rescan()
        assert not svc.workflows()[0].valid
        clock.advance(3 * 3600)  # 11:00, 12:00 and 13:00 fall while it is invalid
        with caplog.at_level(logging.INFO, logger="flowdeck.scheduling"):
            _write(svc, out, valid=True, mode=mode)
            svc.rescan()
        assert svc.workflows()[0].valid
        time.sleep(1.0)
        assert lines(out) == [] and caught == []
        assert "because Flowdeck was not running" not in caplog.text
        assert "3 fire(s) since 2027-06-01T11:00:00+00:00 not run: the file did not validate" in caplog.text
        assert [t.isoformat() for t in svc.next_fire_times(svc.workspace / "hourly.yaml", 1)] == [
            "2027-06-01T14:00:00+00:00"
        ]
    finally:
        svc.stop(grace=2)


def test_fires_missed_while_closed_before_it_broke_are_still_caught_up(tmp_path: Path, caplog) -> None:
    clock = ManualClock(datetime(2027, 6, 1, 7, 30, tzinfo=UTC))
    first, out = service(tmp_path, clock=clock), tmp_path / "out.txt"
    _write(first, out, valid=True)
    first.start()
    first.stop(grace=1)
    clock.advance(2 * 3600)  # closed at 07:30, opened at 09:30: 08:00 and 09:00 were missed while closed
    second = service(tmp_path, clock=clock)
    _write(second, out, valid=False)  # ... and the file was broken meanwhile
    caught = _caught_up(second)
    second.start()
    try:
        clock.advance(2 * 3600)  # 10:00 and 11:00 fall while it is invalid
        with caplog.at_level(logging.INFO, logger="flowdeck.scheduling"):
            _write(second, out, valid=True)
            second.rescan()
        time.sleep(1.0)
        assert lines(out) == ["2027-06-01T09:00:00+00:00 2"]  # the newest fire missed while closed (catch_up: last)
        assert caught == ["2 missed, 1 run (last)"]
        assert "2 fire(s) missed since 2027-06-01T08:00:00+00:00 because Flowdeck was not running" in caplog.text
        assert "2 fire(s) since 2027-06-01T10:00:00+00:00 not run: the file did not validate" in caplog.text
    finally:
        second.stop(grace=2)


def test_fires_while_the_file_was_away_are_not_caught_up(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2027, 6, 1, 10, 30, tzinfo=UTC))
    svc, out = service(tmp_path, clock=clock), tmp_path / "out.txt"
    flow = _write(svc, out, valid=True)
    svc.start()
    try:
        text = flow.read_text(encoding="utf-8")
        flow.unlink()
        svc.rescan()
        assert svc.workflows() == []
        clock.advance(2 * 3600)
        flow.write_text(text, encoding="utf-8")
        svc.rescan()
        time.sleep(1.0)
        assert svc.workflows()[0].valid and lines(out) == []
    finally:
        svc.stop(grace=2)
