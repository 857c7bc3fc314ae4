"""A fake udev for the usb and display device triggers: umockdev's testbed (tests/support/udevbed_server.py).

Processes started with ``bed.env()`` run with umockdev's preload library: their libudev (and so pyudev) reads the
testbed's /sys and receives its uevents as if the kernel sent them. ./dev test installs umockdev, its GObject
typelib and python3-gi (the testbed is driven from the system's Python, which has gi).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER = Path(__file__).with_name("udevbed_server.py")
PRELOAD = "libumockdev-preload.so.0"
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-gi is a Debian package of the system's Python, not a pip one


class UdevBed:
    def __init__(self) -> None:
        if shutil.which("umockdev-wrapper") is None:
            pytest.fail("umockdev is not installed; run the tests with ./dev test, which installs it")
        self.proc = subprocess.Popen(["umockdev-wrapper", SYSTEM_PYTHON, str(SERVER)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)  # fmt: skip
        first = self.proc.stdout.readline() if self.proc.stdout else ""
        if not first:
            pytest.fail("the umockdev testbed did not start (is gir1.2-umockdev-1.0 with python3-gi installed?)")
        self.dir = json.loads(first)["dir"]

    def env(self) -> dict[str, str]:
        """What a process needs in its environment to see this testbed instead of the machine's udev."""
        return {"LD_PRELOAD": PRELOAD, "UMOCKDEV_DIR": self.dir}

    def _ask(self, **cmd: object) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())["path"]

    def plug_usb_stick(self, name: str = "1-1", model: str = "Cruzer_Blade") -> str:
        """A USB storage device plugged in (a whole usb_device, as the kernel announces it); its /sys path."""
        attributes = {"idVendor": "0781", "idProduct": "5567", "product": model.replace("_", " ")}
        properties = {"DEVTYPE": "usb_device", "ID_MODEL": model, "PRODUCT": "781/5567/100", "ID_USB_CLASS": "08"}
        return self._ask(op="add", subsystem="usb", name=name, attributes=attributes, properties=properties)

    def unplug(self, path: str) -> None:
        self._ask(op="remove", path=path)

    def graphics_card(self) -> tuple[str, str]:
        """card0 with one HDMI connector, nothing plugged in; (card path, connector path)."""
        card = self._ask(op="add", subsystem="drm", name="card0", properties={"DEVTYPE": "drm_minor"})
        connector = self._ask(op="add", subsystem="drm", name="card0-HDMI-A-1", parent=card,
                              attributes={"status": "disconnected"},
                              properties={"DEVTYPE": "drm_connector"})  # fmt: skip
        return card, connector

    def plug_monitor(self, card: str, connector: str) -> None:
        """A monitor on the connector: its status becomes connected and the card sends a hotplug change event."""
        self._ask(op="set", path=connector, attributes={"status": "connected"})
        self._ask(op="set", path=card, properties={"HOTPLUG": "1"})
        self._ask(op="uevent", path=card, action="change")

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(10)


@pytest.fixture
def udevbed() -> Iterator[UdevBed]:
    bed = UdevBed()
    yield bed
    bed.close()
