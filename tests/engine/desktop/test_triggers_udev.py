"""The usb and display device triggers on a fake udev (umockdev, tests/support/udevbed.py): a USB stick plugged in
and out and a monitor connected to an HDMI connector, seen by the trigger's pyudev monitor in a process that runs
with umockdev's preload library, as libudev would see the kernel's events."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading

import pytest

from tests.support.udevbed import UdevBed

WATCHER = """
import json, sys
from engine.desktop.dbus_watch import DeviceWatch
watch = DeviceWatch(sys.argv[1], ["added", "removed", "changed"], lambda f: print(json.dumps(f), flush=True))
watch.start()
print("ready", flush=True)
sys.stdin.read()
watch.stop()
"""


class Watcher:
    """A DeviceWatch in a process under the testbed's preload; what it fired, one JSON line each."""

    def __init__(self, bed: UdevBed, kind: str) -> None:
        import os

        self.proc = subprocess.Popen([sys.executable, "-c", WATCHER, kind], env={**os.environ, **bed.env()},
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(s) for s in self.proc.stdout], daemon=True).start()
        assert self.next() == "ready"

    def next(self, timeout: float = 10) -> str:
        try:
            return self.lines.get(timeout=timeout).strip()
        except queue.Empty:
            pytest.fail(f"the watcher printed nothing within {timeout} s")

    def fired(self) -> dict:
        return json.loads(self.next())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        assert self.proc.wait(10) == 0


def test_a_usb_stick_plugged_in_and_out_fires_added_then_removed_with_its_name(udevbed: UdevBed) -> None:
    watcher = Watcher(udevbed, "usb")
    try:
        stick = udevbed.plug_usb_stick()
        assert watcher.fired() == {"event": "added", "device": "usb", "name": "Cruzer_Blade", "path": "/devices/1-1"}
        udevbed.unplug(stick)
        assert watcher.fired() == {"event": "removed", "device": "usb", "name": "Cruzer_Blade", "path": "/devices/1-1"}
    finally:
        watcher.close()
    assert watcher.lines.empty(), "one event each, nothing else"


def test_a_monitor_connected_fires_changed_naming_the_connected_connector(udevbed: UdevBed) -> None:
    card, connector = udevbed.graphics_card()  # before the trigger is armed: nothing fires for it
    watcher = Watcher(udevbed, "display")
    try:
        udevbed.plug_monitor(card, connector)
        assert watcher.fired() == {"event": "changed", "device": "display", "name": "card0",
                                   "path": "/devices/card0", "connected": ["HDMI-A-1"]}  # fmt: skip
    finally:
        watcher.close()
