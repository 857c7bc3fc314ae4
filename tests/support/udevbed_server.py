"""The umockdev testbed for tests/support/udevbed.py: a fake /sys whose devices send uevents to libudev.

Run by the system's Python 3 (python3-gi with UMockdev's typelib) under ``umockdev-wrapper``, which preloads
umockdev's library so that the testbed's own libudev sees the fake /sys too. One JSON command a line on stdin, one
JSON answer a line on stdout; the first line out is the testbed's folder (UMOCKDEV_DIR for the processes to test).
"""

import json
import sys

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402


def _pairs(values: dict) -> list:
    return [str(v) for item in values.items() for v in item]


def main() -> None:
    bed = UMockdev.Testbed.new()
    print(json.dumps({"dir": bed.get_root_dir()}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        op, path = cmd["op"], cmd.get("path")
        if op == "add":  # umockdev sends the "add" uevent itself
            path = bed.add_device(cmd["subsystem"], cmd["name"], cmd.get("parent"),
                                  _pairs(cmd.get("attributes", {})), _pairs(cmd.get("properties", {})))  # fmt: skip
        elif op == "set":
            for name, value in cmd.get("attributes", {}).items():
                bed.set_attribute(path, name, str(value))
            for name, value in cmd.get("properties", {}).items():
                bed.set_property(path, name, str(value))
        elif op == "uevent":
            bed.uevent(path, cmd["action"])
        elif op == "remove":
            bed.uevent(path, "remove")
            bed.remove_device(path)
        print(json.dumps({"path": path}), flush=True)


main()
