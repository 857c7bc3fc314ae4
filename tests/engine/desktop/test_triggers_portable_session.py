"""The session and device triggers armed by the scheduling service the way Windows and macOS arm them (polling
idle, the clocks and psutil), here on X11 under Xvfb with FLOWDECK_PORTABLE_TRIGGERS=1: what can be watched is
armed and fires, what cannot is one not-armed line."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.desktop import backend
from engine.scheduling.desktop_arm import PORTABLE_ENV
from engine.scheduling.entries import ServiceEvent
from tests.engine.scheduling.helpers import lines, service, wait_for
from tests.support.desk import TRIGGERED_FLOW, Desk


def _flow(ws: Path, name: str, trigger: str, line: str, out: Path) -> None:
    (ws / f"{name}.yaml").write_text(TRIGGERED_FLOW.format(name=name, trigger=trigger, line=line, out=out), "utf-8")


@pytest.mark.xdisplay
def test_idle_is_armed_lock_and_usb_are_reported_not_armed(
    tmp_path: Path,
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PORTABLE_ENV, "1")
    svc = service(tmp_path)
    idle, net = tmp_path / "idle.txt", tmp_path / "net.txt"
    line = "{{ trigger.kind }} {{ trigger.event }}"
    _flow(svc.workspace, "idle", "session: {on: [idle, lock], idle: 1s}", line, idle)
    _flow(svc.workspace, "net", "device: {kind: network}", "{{ trigger.name }}", net)
    _flow(svc.workspace, "usb", "device: {kind: usb}", "{{ trigger.name }}", tmp_path / "usb.txt")
    _flow(svc.workspace, "away", "session: {on: [login, unlock]}", "x", tmp_path / "away.txt")
    seen: list[ServiceEvent] = []
    svc.subscribe(seen.append)
    backend().press(["shift"], 0.01)
    svc.start()
    try:
        system = "Linux with FLOWDECK_PORTABLE_TRIGGERS=1"
        assert sorted(e.message for e in seen if e.kind == "not_armed") == [
            f"away.yaml: the session trigger is not armed: login, unlock are not watched on {system} yet",
            f"idle.yaml: the session trigger is armed for idle only: lock is not watched on {system} yet",
            f"usb.yaml: the device trigger is not armed: the usb device trigger is not watched on {system} yet "
            "(no maintained library offers it; docs/desktop.md)",
        ]
        assert wait_for(lambda: lines(idle), 6), "idle did not fire"
        assert lines(idle) == ["session idle"]
        assert [n.path.name for n in svc.not_armed()] == ["away.yaml", "idle.yaml", "usb.yaml"]
    finally:
        svc.stop(grace=2)


def test_on_wayland_idle_is_reported_and_wake_still_armed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PORTABLE_ENV, "1")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    svc = service(tmp_path)
    _flow(svc.workspace, "both", "session: {on: [idle, wake]}", "x", tmp_path / "both.txt")
    _flow(svc.workspace, "idle", "session: {on: [idle]}", "x", tmp_path / "idle.txt")
    seen: list[ServiceEvent] = []
    svc.subscribe(seen.append)
    svc.start()
    try:
        found = sorted(e.message for e in seen if e.kind == "not_armed")
        assert [m.split(": this is a Wayland session")[0] for m in found] == [
            "both.yaml: the session trigger is armed for wake only: idle cannot be watched",
            "idle.yaml: the session trigger is not armed: idle cannot be watched",
        ]  # the first is armed for the rest of its events; nothing of the second is
    finally:
        svc.stop(grace=2)
