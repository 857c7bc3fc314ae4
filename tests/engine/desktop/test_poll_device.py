"""The network and power device triggers' polling watcher (engine.desktop.poll_device), as on Windows and macOS.

Network for real: the watcher runs in a network namespace of the test's own, where the test makes, starts and
removes a pair of virtual interfaces with ip. Power through the watcher's logic only: psutil reads the machine's
real battery, which cannot be plugged in or out from a test (and this machine has none), so a reader function
stands in for psutil.sensors_battery, and the real reading is checked against /sys.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from engine.desktop.poll_device import PollDeviceWatch, read_power
from tests.support.netns import in_netns, ip

ROOT = Path(__file__).resolve().parents[3]
CHILD = """
import json, sys
from engine.desktop.poll_device import PollDeviceWatch
w = PollDeviceWatch("network", ["added", "removed", "changed"], lambda f: print(json.dumps(f), flush=True), every=0.1)
w.start()
print("ready", flush=True)
sys.stdin.read()
"""


def _next(lines: queue.Queue, match: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
    """The next event with the fields in ``match`` (others are skipped: an address may come and go meanwhile)."""
    seen = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event {match} within {timeout} s; saw {seen}") from None
        event = json.loads(line)
        if all(event.get(k) == v for k, v in match.items()):
            return event
        seen.append(event)


def test_interfaces_added_started_and_removed_in_a_namespace_fire_added_changed_removed() -> None:
    child = subprocess.Popen(in_netns([sys.executable, "-c", CHILD]), cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in child.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        assert lines.get(timeout=10) == "ready\n"
        ip(child.pid, "link", "add", "fd0", "type", "veth", "peer", "name", "fd1")
        added = _next(lines, {"event": "added", "name": "fd0"})
        assert (added["device"], added["up"]) == ("network", False)
        assert [len(a.split(":")) for a in added["addresses"]] == [6]  # its MAC address only: no IP address yet
        _next(lines, {"event": "added", "name": "fd1"})
        ip(child.pid, "link", "set", "fd0", "up")
        ip(child.pid, "link", "set", "fd1", "up")
        assert _next(lines, {"event": "changed", "name": "fd0", "up": True})["device"] == "network"
        ip(child.pid, "addr", "add", "127.0.0.9/8", "dev", "lo")
        assert "127.0.0.9" in _next(lines, {"event": "changed", "name": "lo"})["addresses"]
        ip(child.pid, "link", "del", "fd0")  # its peer goes with it
        removed = {_next(lines, {"event": "removed"})["name"] for _ in range(2)}
        assert removed == {"fd0", "fd1"}
    finally:
        child.kill()
        child.wait(5)


def test_power_switching_to_battery_and_back_and_a_battery_coming_and_going() -> None:
    readings = iter([
        {"battery": (True, 80)},  # at arming: does not fire
        {"battery": (True, 79)},  # the charge alone is no change
        {"battery": (False, 79)},
        {"battery": (False, 60)},
        {"battery": (True, 61)},
        {},
        {"battery": (None, 50)},  # psutil cannot tell the power source
    ])  # fmt: skip
    fired: list[dict[str, Any]] = []
    watch = PollDeviceWatch("power", ["added", "removed", "changed"], fired.append, read=lambda: next(readings))
    for _ in range(6):
        watch.look()
    assert [(f["event"], f["name"], f["percent"]) for f in fired] == [
        ("changed", "battery", 79), ("changed", "mains", 61), ("removed", "battery", 61), ("added", "battery", 50)
    ]  # fmt: skip
    assert fired[0] == {"event": "changed", "device": "power", "name": "battery", "percent": 79}


def test_only_the_chosen_events_fire() -> None:
    readings = iter([{}, {"battery": (True, 90)}, {"battery": (False, 90)}])
    fired: list[dict[str, Any]] = []
    watch = PollDeviceWatch("power", ["changed"], fired.append, read=lambda: next(readings))
    watch.look()
    watch.look()
    assert [f["name"] for f in fired] == ["battery"]


def test_the_real_battery_reading_agrees_with_sys() -> None:
    """psutil's own reading on this machine: a battery exactly when /sys lists one."""
    supplies = Path("/sys/class/power_supply")
    types = [p.joinpath("type").read_text().strip() for p in supplies.iterdir()] if supplies.exists() else []
    reading = read_power()
    assert bool(reading) == ("Battery" in types)
    if reading:
        assert 0 <= reading["battery"][1] <= 100
