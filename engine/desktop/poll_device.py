"""The network and power device triggers by polling psutil every 2 s: what Windows and macOS use (Linux has
NetworkManager's and UPower's signals, engine.desktop.dbus_watch), and the same code on Linux with
FLOWDECK_PORTABLE_TRIGGERS=1.

- network: an interface appearing (added), going away (removed), going up or down or changing its addresses
  (changed); ``name`` is the interface ("eth0", "Wi-Fi", "en0"), ``up`` and ``addresses`` say what it is now.
- power: the power supply switching between battery and mains (changed, ``name`` battery or mains), a battery
  appearing or going away (added/removed); ``percent`` is the battery's charge.

Tested on Linux: network for real (interfaces made in a network namespace of the test's own); power only through
the watcher's logic with a reader function, since psutil reads the machine's real /sys (which has no battery here).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from engine.desktop import missing
from engine.desktop.polling import Poller

log = logging.getLogger("flowdeck.desktop")
POLL = 2.0  # seconds between looks: a change undone within one look is not seen
Fire = Callable[[dict[str, Any]], None]
Reading = dict[str, tuple[Any, ...]]  # a device's name: what is watched of it


def _psutil() -> Any:
    try:
        import psutil
    except ImportError:
        raise missing("psutil", "the network and power device triggers") from None
    return psutil


def read_network() -> Reading:
    """Each interface: (up, its addresses, sorted)."""
    psutil = _psutil()
    stats, addrs = psutil.net_if_stats(), psutil.net_if_addrs()
    return {name: (s.isup, tuple(sorted(a.address for a in addrs.get(name, [])))) for name, s in stats.items()}


def read_power() -> Reading:
    """{"battery": (on mains: True/False/None when unknown, percent)}, or {} when there is no battery."""
    battery = _psutil().sensors_battery()
    if battery is None:
        return {}
    return {"battery": (battery.power_plugged, round(battery.percent))}


class PollDeviceWatch(Poller):
    """Network interfaces or the battery, compared between looks; ``read`` stands in for psutil in power's test."""

    def __init__(self, kind: str, on: list[str], fire: Fire, read: Callable[[], Reading] | None = None,
                 every: float = POLL) -> None:  # fmt: skip
        super().__init__(every, f"flowdeck-{kind}-poll")
        self.kind, self.on, self.fire = kind, set(on), fire
        self.read = read or (read_network if kind == "network" else read_power)
        self.known = self.read()  # what is there now does not fire

    def failed(self, exc: Exception) -> None:  # an interface gone while it was read: look again next time
        log.exception("the %s device trigger could not read the %s", self.kind, self.kind)

    def look(self) -> None:
        now = self.read()
        for name in sorted(set(self.known) - set(now)):
            self._event("removed", name, self.known[name])
        for name in sorted(now):
            before = self.known.get(name)
            if before is None:
                self._event("added", name, now[name])
            elif self._changed(before, now[name]):
                self._event("changed", name, now[name])
        self.known = now

    def _changed(self, before: tuple[Any, ...], now: tuple[Any, ...]) -> bool:
        if self.kind == "power":  # the charge alone is not a change: it moves all the time on battery
            return before[0] != now[0]
        return before != now

    def _event(self, event: str, name: str, state: tuple[Any, ...]) -> None:
        if event not in self.on:
            return
        if self.kind == "network":
            self.fire({"event": event, "device": "network", "name": name, "up": state[0],
                       "addresses": list(state[1])})  # fmt: skip
            return
        plugged, percent = state
        source = {True: "mains", False: "battery"}.get(plugged, "battery") if event == "changed" else "battery"
        self.fire({"event": event, "device": "power", "name": source, "percent": percent})
