"""Session and device triggers on Linux, from the system bus (jeepney) and, for USB and monitors, udev (pyudev).

- session: logind (org.freedesktop.login1): SessionNew → login, Session.Lock/Unlock → lock/unlock,
  Manager.PrepareForSleep(true/false) → sleep/wake, the session's IdleHint true for ``idle`` → idle.
- device power: UPower's OnBattery property → changed (name ``battery`` or ``mains``), DeviceAdded/DeviceRemoved.
- device network: NetworkManager's StateChanged → changed (name: the state), DeviceAdded/DeviceRemoved.
- device usb/display: udev events of the usb (whole devices) and drm subsystems → added/removed/changed.

Tested with a private dbus-daemon sending the signals logind, UPower and NetworkManager send, and with umockdev's
fake /sys sending the uevents the kernel sends (tests/engine/desktop/test_triggers_udev.py).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any

from engine.desktop import missing
from engine.desktop.base import DesktopUnavailable

log = logging.getLogger("flowdeck.desktop")
Fire = Callable[[dict[str, Any]], None]
LOGIN1, UPOWER, NM = "org.freedesktop.login1", "org.freedesktop.UPower", "org.freedesktop.NetworkManager"
PROPS = "org.freedesktop.DBus.Properties"
NM_STATES = {10: "asleep", 20: "disconnected", 30: "disconnecting", 40: "connecting", 50: "connected_local",
             60: "connected_site", 70: "connected_global"}  # fmt: skip


def _jeepney() -> Any:
    try:
        import jeepney
        import jeepney.bus_messages
        from jeepney.io import blocking
    except ImportError:
        raise missing("jeepney", "the session and device triggers") from None
    return jeepney, blocking


class DBusWatch:
    """Signals matching ``rules`` on the system bus, handed to ``handle(path, interface, member, body)``."""

    def __init__(self, rules: list[dict[str, str]], handle: Callable[[str, str, str, tuple], None]) -> None:
        jeepney, blocking = _jeepney()
        try:
            self.conn = blocking.open_dbus_connection(bus="SYSTEM")
        except (OSError, KeyError, ValueError) as exc:
            where = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/run/dbus/system_bus_socket")
            reason = getattr(exc, "strerror", None) or exc
            raise DesktopUnavailable(
                f"cannot reach the system's D-Bus at {where} (logind, UPower and NetworkManager are there): {reason}"
            ) from None
        for rule in rules:
            self.conn.send_and_get_reply(
                jeepney.bus_messages.message_bus.AddMatch(jeepney.bus_messages.MatchRule(**rule))
            )
        self._handle, self._jeepney = handle, jeepney
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flowdeck-dbus-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.conn.close()

    def _run(self) -> None:
        fields = self._jeepney.HeaderFields
        while not self._stop.is_set():
            try:
                msg = self.conn.receive(timeout=0.3)
            except TimeoutError:
                continue
            except (OSError, EOFError) as exc:
                if not self._stop.is_set():
                    log.error("the system D-Bus connection was lost (%s); this trigger stopped", exc)
                return
            if msg.header.message_type != self._jeepney.MessageType.signal:
                continue
            f = msg.header.fields
            try:
                self._handle(str(f.get(fields.path, "")), str(f.get(fields.interface, "")),
                             str(f.get(fields.member, "")), tuple(msg.body))  # fmt: skip
            except Exception:  # one odd signal must not end the trigger
                log.exception("a session/device trigger failed on a D-Bus signal")


def _own_session(path: str) -> bool:
    """Whether a logind session path is this desktop's session (any session when XDG_SESSION_ID is not set)."""
    mine = os.environ.get("XDG_SESSION_ID")
    if not mine:
        return True
    name = re.sub(r"_([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), path.rsplit("/", 1)[-1])
    return name in (mine, "self", "auto")


class SessionWatch:
    def __init__(self, on: list[str], idle: float, fire: Fire) -> None:
        self.on, self.idle, self.fire = set(on), idle, fire
        self._idle_timer: threading.Timer | None = None
        rules = [
            {"type": "signal", "interface": f"{LOGIN1}.Manager"},
            {"type": "signal", "interface": f"{LOGIN1}.Session"},
            {"type": "signal", "interface": PROPS, "path_namespace": "/org/freedesktop/login1"},
        ]
        self.bus = DBusWatch(rules, self._signal)

    def start(self) -> None:
        self.bus.start()

    def stop(self) -> None:
        if self._idle_timer:
            self._idle_timer.cancel()
        self.bus.stop()

    def _event(self, event: str) -> None:
        if event in self.on:
            self.fire({"event": event})

    def _signal(self, path: str, interface: str, member: str, body: tuple) -> None:
        if interface == f"{LOGIN1}.Manager" and member == "PrepareForSleep" and body:
            self._event("sleep" if body[0] else "wake")
        elif interface == f"{LOGIN1}.Manager" and member == "SessionNew":
            self._event("login")
        elif interface == f"{LOGIN1}.Session" and member in ("Lock", "Unlock") and _own_session(path):
            self._event(member.lower())
        elif interface == PROPS and body and body[0] == f"{LOGIN1}.Session" and _own_session(path):
            hint = body[1].get("IdleHint") if len(body) > 1 and isinstance(body[1], dict) else None
            if hint is not None:
                self._idle(bool(hint[1]))

    def _idle(self, idle: bool) -> None:
        """Idle fires once the session has been idle for ``idle`` seconds without a break."""
        if self._idle_timer:
            self._idle_timer.cancel()
            self._idle_timer = None
        if idle:
            self._idle_timer = threading.Timer(self.idle, self._event, ("idle",))
            self._idle_timer.daemon = True
            self._idle_timer.start()


class DeviceWatch:
    """Power and network from D-Bus; USB and monitors from udev."""

    def __init__(self, kind: str, on: list[str], fire: Fire) -> None:
        self.kind, self.on, self.fire = kind, set(on), fire
        self.bus: DBusWatch | None = None
        self.udev: Any = None
        if kind == "power":
            self.bus = DBusWatch([{"type": "signal", "path_namespace": "/org/freedesktop/UPower"}], self._power)
        elif kind == "network":
            self.bus = DBusWatch([{"type": "signal", "interface": NM, "path": "/org/freedesktop/NetworkManager"}],
                                 self._network)  # fmt: skip
        else:
            self.udev = _udev_observer("usb" if kind == "usb" else "drm", self._udev)

    def start(self) -> None:
        if self.bus is not None:
            self.bus.start()
        if self.udev is not None:
            self.udev.start()

    def stop(self) -> None:
        if self.bus is not None:
            self.bus.stop()
        if self.udev is not None:
            self.udev.stop()

    def _event(self, event: str, name: str, **more: Any) -> None:
        if event in self.on:
            self.fire({"event": event, "device": self.kind, "name": name, **more})

    def _power(self, path: str, interface: str, member: str, body: tuple) -> None:
        if interface == PROPS and body and body[0] == UPOWER and "OnBattery" in body[1]:
            self._event("changed", "battery" if body[1]["OnBattery"][1] else "mains")
        elif interface == UPOWER and member in ("DeviceAdded", "DeviceRemoved") and body:
            self._event("added" if member == "DeviceAdded" else "removed", str(body[0]).rsplit("/", 1)[-1])

    def _network(self, path: str, interface: str, member: str, body: tuple) -> None:
        if member == "StateChanged" and body:
            self._event("changed", NM_STATES.get(int(body[0]), str(body[0])))
        elif member in ("DeviceAdded", "DeviceRemoved") and body:
            self._event("added" if member == "DeviceAdded" else "removed", str(body[0]).rsplit("/", 1)[-1])

    def _udev(self, action: str, device: Any) -> None:
        event = {"add": "added", "remove": "removed", "change": "changed"}.get(action)
        if not event:
            return
        name = device.get("ID_MODEL") or device.get("PRODUCT") or device.sys_name
        more = {"connected": _connected(device)} if self.kind == "display" else {}
        self._event(event, str(name), path=str(device.device_path), **more)


def _connected(device: Any) -> list[str]:
    """The connectors (HDMI-A-1, DP-2…) of a graphics card, or the connector itself, with a monitor on them.

    The kernel announces a monitor plugged in or out as a change of the card (HOTPLUG=1): the connectors' status
    says which. A device already gone (removed) has no attributes left to read.
    """
    try:
        devices = [device, *device.children]
        return sorted(d.sys_name.split("-", 1)[1] for d in devices
                      if "-" in d.sys_name and d.attributes.get("status") == b"connected")  # fmt: skip
    except (OSError, KeyError):
        return []


def _udev_observer(subsystem: str, callback: Callable[[str, Any], None]) -> Any:
    """A pyudev MonitorObserver thread."""
    try:
        import pyudev
    except ImportError:
        raise missing("pyudev", "the usb and display device triggers") from None
    monitor = pyudev.Monitor.from_netlink(pyudev.Context())
    if subsystem == "usb":
        monitor.filter_by(subsystem="usb", device_type="usb_device")  # whole devices, not each interface
    else:
        monitor.filter_by(subsystem="drm")
    return pyudev.MonitorObserver(monitor, callback=lambda device: callback(device.action, device))
