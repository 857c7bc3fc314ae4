"""The service's list of desktop triggers it could not arm (what the app's banner shows): kept until the file is
edited, removed or switched off, and there again when arming fails again. No DISPLAY here: a hotkey cannot be armed."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.scheduling.entries import ServiceEvent
from engine.scheduling.lock import DAEMON
from tests.engine.scheduling.helpers import service, wait_for

HOTKEY = """flowdeck: 1
name: Desk
triggers:
  - {trigger}
steps:
  hi:
    do: log
    with: {{message: hi}}
"""
NO_DESKTOP = "there is no desktop here (no DISPLAY): the Desktop blocks need a graphical session"


@pytest.fixture(autouse=True)
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)


def test_a_trigger_not_armed_is_listed_until_its_file_is_edited_switched_off_or_removed(tmp_path: Path) -> None:
    svc = service(tmp_path)
    path = svc.workspace / "desk.yaml"
    path.write_text(HOTKEY.format(trigger="hotkey: {keys: ctrl+alt+t}"), encoding="utf-8")
    seen: list[ServiceEvent] = []
    svc.subscribe(seen.append)
    svc.start()
    try:
        (found,) = svc.not_armed()
        assert (found.path, found.trigger.options, found.reason) == (path.resolve(), {"keys": "ctrl+alt+t"}, NO_DESKTOP)
        assert found.message == f"desk.yaml: the hotkey trigger is not armed: {NO_DESKTOP}"
        assert [e.message for e in seen if e.kind == "not_armed"] == [found.message]
        svc.set_enabled(path, False)
        assert svc.not_armed() == []
        assert [e.kind for e in seen][-1] == "disarmed"  # the app hears that something changed
        svc.set_enabled(path, True)
        assert [n.message for n in svc.not_armed()] == [found.message]
        path.write_text(HOTKEY.format(trigger="schedule: {every: 1h}"), encoding="utf-8")
        assert wait_for(lambda: svc.not_armed() == [], 10), "edited to another trigger: nothing is left unarmed"
        path.write_text(HOTKEY.format(trigger="hotkey: {keys: ctrl+alt+y}"), encoding="utf-8")
        assert wait_for(lambda: [n.trigger.options for n in svc.not_armed()] == [{"keys": "ctrl+alt+y"}], 10)
        path.unlink()
        assert wait_for(lambda: svc.not_armed() == [], 10), "a removed file has no triggers left unarmed"
    finally:
        svc.stop(grace=2)


def test_the_daemon_lists_none_it_says_in_its_log_why_it_does_not_arm_them(tmp_path: Path) -> None:
    svc = service(tmp_path, who=DAEMON)
    (svc.workspace / "desk.yaml").write_text(HOTKEY.format(trigger="hotkey: {keys: ctrl+alt+t}"), encoding="utf-8")
    svc.start()
    try:
        assert svc.not_armed() == []
    finally:
        svc.stop(grace=2)


def test_arm_again_tries_the_desktop_triggers_once_more_and_leaves_the_schedules_alone(tmp_path: Path) -> None:
    svc = service(tmp_path)
    flow = HOTKEY.replace("  - {trigger}\n", "  - {trigger}\n  - schedule: {{every: 1h}}\n")
    path = svc.workspace / "desk.yaml"
    path.write_text(flow.format(trigger="hotkey: {keys: ctrl+alt+t}"), encoding="utf-8")
    seen: list[ServiceEvent] = []
    svc.subscribe(seen.append)
    svc.start()
    try:
        before = svc.next_fire_times(path.resolve(), 1)
        svc.arm_again()  # still no DISPLAY: not armed again, said again
        assert [e.kind for e in seen].count("not_armed") == 2
        assert [n.reason for n in svc.not_armed()] == [NO_DESKTOP]
        assert svc.next_fire_times(path.resolve(), 1) == before
    finally:
        svc.stop(grace=2)
