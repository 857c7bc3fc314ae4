"""Session and device triggers from a real, private D-Bus (dbus-daemon) that sends the signals logind, UPower and
NetworkManager send. The udev side (usb, display) needs hardware events and is not tested here."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_signal
from jeepney.io.blocking import open_dbus_connection

from engine.desktop.dbus_watch import DeviceWatch, SessionWatch
from tests.engine.scheduling.helpers import lines, service, wait_for

LOGIN1 = "/org/freedesktop/login1"


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A private bus standing in for the system bus; yields a connection that sends signals on it."""
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    address = daemon.stdout.readline().strip()
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", address)
    monkeypatch.delenv("XDG_SESSION_ID", raising=False)
    conn = open_dbus_connection(bus=address)
    yield conn
    conn.close()
    daemon.terminate()
    daemon.wait(5)


def _send(conn, path: str, interface: str, member: str, signature: str | None = None, body: tuple = ()) -> None:
    conn.send(new_signal(DBusAddress(path, interface=interface), member, signature, body))


def test_logind_signals_become_session_events(bus) -> None:
    got: list[dict] = []
    watch = SessionWatch(["lock", "unlock", "sleep", "wake", "login", "idle"], 0.2, got.append)
    watch.start()
    try:
        session = f"{LOGIN1}/session/_32"
        _send(bus, session, "org.freedesktop.login1.Session", "Lock")
        _send(bus, session, "org.freedesktop.login1.Session", "Unlock")
        _send(bus, LOGIN1, "org.freedesktop.login1.Manager", "PrepareForSleep", "b", (True,))
        _send(bus, LOGIN1, "org.freedesktop.login1.Manager", "PrepareForSleep", "b", (False,))
        _send(bus, LOGIN1, "org.freedesktop.login1.Manager", "SessionNew", "so", ("3", f"{LOGIN1}/session/_33"))
        props = ("org.freedesktop.login1.Session", {"IdleHint": ("b", True)}, [])
        _send(bus, session, "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as", props)
        assert wait_for(lambda: len(got) == 6, 5), got
        assert [g["event"] for g in got] == ["lock", "unlock", "sleep", "wake", "login", "idle"]
    finally:
        watch.stop()


def test_idle_fires_only_after_the_idle_time_without_a_break(bus) -> None:
    got: list[dict] = []
    watch = SessionWatch(["idle"], 0.5, got.append)
    watch.start()
    try:
        path, iface = f"{LOGIN1}/session/_32", "org.freedesktop.DBus.Properties"
        for hint in (True, False):  # idle, then busy again before 0.5 s: nothing
            _send(bus, path, iface, "PropertiesChanged", "sa{sv}as", ("org.freedesktop.login1.Session",
                                                                      {"IdleHint": ("b", hint)}, []))  # fmt: skip
            time.sleep(0.1)
        time.sleep(0.7)
        assert got == []
    finally:
        watch.stop()


def test_power_and_network_changes_become_device_events(bus) -> None:
    power: list[dict] = []
    network: list[dict] = []
    watches = [DeviceWatch("power", ["changed"], power.append), DeviceWatch("network", ["changed", "added"],
                                                                           network.append)]  # fmt: skip
    for w in watches:
        w.start()
    try:
        upower = ("org.freedesktop.UPower", {"OnBattery": ("b", True)}, [])
        _send(
            bus, "/org/freedesktop/UPower", "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as", upower
        )
        nm = "/org/freedesktop/NetworkManager"
        _send(bus, nm, "org.freedesktop.NetworkManager", "StateChanged", "u", (20,))
        _send(bus, nm, "org.freedesktop.NetworkManager", "DeviceAdded", "o", (f"{nm}/Devices/7",))
        assert wait_for(lambda: power and len(network) == 2, 5), (power, network)
        assert power == [{"event": "changed", "device": "power", "name": "battery"}]
        assert network == [
            {"event": "changed", "device": "network", "name": "disconnected"},
            {"event": "added", "device": "network", "name": "7"},
        ]
    finally:
        for w in watches:
            w.stop()


def test_the_app_service_arms_a_session_trigger_and_runs_the_workflow_on_unlock(bus, tmp_path: Path) -> None:
    svc = service(tmp_path)
    out = tmp_path / "out.txt"
    (svc.workspace / "unlock.yaml").write_text(
        "flowdeck: 1\nname: unlock\ntriggers:\n  - session: {on: [unlock]}\nsteps:\n  note:\n    do: file.write\n"
        f'    with: {{path: "{out}", content: "{{{{ trigger.kind }}}} {{{{ trigger.event }}}}"}}\n',
        encoding="utf-8",
    )
    svc.start()
    try:
        time.sleep(0.3)  # the watcher's match rules are in place once the service has started; a margin
        _send(bus, f"{LOGIN1}/session/_32", "org.freedesktop.login1.Session", "Lock")
        _send(bus, f"{LOGIN1}/session/_32", "org.freedesktop.login1.Session", "Unlock")
        assert wait_for(lambda: lines(out), 10)
        assert lines(out) == ["session unlock"]
    finally:
        svc.stop(grace=2)


def test_no_system_bus_is_one_line_not_a_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'nobus'}")
    with pytest.raises(Exception, match="cannot reach the system's D-Bus") as caught:
        SessionWatch(["lock"], 1, print)
    assert "\n" not in str(caught.value) and os.sep in str(caught.value)
