"""Every desktop trigger armed by the real app (python -m gui on Xvfb with openbox and trayer): a hotkey pressed,
a window opened and closed, a link copied, the session unlocked (a private D-Bus sending what logind sends), a USB
stick plugged in and a monitor connected (umockdev's fake udev, whose preload library the app runs with), and a
hotkey another program already holds, which the log and a tray message report."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_signal
from jeepney.io.blocking import open_dbus_connection
from Xlib import X, display

from tests.e2e.desktop import started
from tests.support.desk import PROBE, TRIGGERED_FLOW, Desk, desk_display, tray_on_desk  # noqa: F401
from tests.support.product import Product, wait_until
from tests.support.udevbed import UdevBed

pytestmark = pytest.mark.xdisplay

TRIGGERS = {  # name: (trigger, what the run writes)
    "hot": ("hotkey: {keys: ctrl+alt+r}", "{{ trigger.kind }} {{ trigger.keys }}"),
    "win": ('window: {title: "Invoice*", on: [opened, closed]}', "{{ trigger.event }} {{ trigger.title }}"),
    "clip": ('clipboard: {match: "^https?://"}', "{{ trigger.text }}"),
    "unlock": ("session: {on: [unlock]}", "{{ trigger.kind }} {{ trigger.event }}"),
    "usb": ("device: {kind: usb, on: [added]}", "{{ trigger.event }} {{ trigger.name }}"),
    "screen": ("device: {kind: display}", "{{ trigger.event }} {{ trigger.connected | join(',') }}"),
    "taken": ("hotkey: {keys: ctrl+alt+t}", "{{ trigger.keys }}"),
}


@pytest.fixture
def system_bus() -> Iterator[tuple[str, object]]:
    """A private dbus-daemon standing in for the system bus; (its address, a connection that sends signals)."""
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    address = daemon.stdout.readline().strip() if daemon.stdout else ""
    conn = open_dbus_connection(bus=address)
    yield address, conn
    conn.close()
    daemon.terminate()
    daemon.wait(5)


@pytest.fixture
def udevbed() -> Iterator[UdevBed]:
    """umockdev's fake udev (tests/support/udevbed.py)."""
    bed = UdevBed()
    yield bed
    bed.close()


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.mark.promise("desktop.md", "Desktop triggers")
def test_in_the_app_every_desktop_trigger_starts_its_workflow_and_a_taken_hotkey_is_reported(
    tray_on_desk: Desk,  # noqa: F811 (a fixture)
    system_bus: tuple[str, object],
    udevbed: UdevBed,
    product: Product,
    tmp_path: Path,
) -> None:
    """The app arms the desktop triggers: ctrl+alt+r pressed once is one run; a window "Invoice 12" opened and closed
    fires opened and closed; copied text matching the pattern fires (other text does not); logind's Unlock fires
    session unlock; a USB stick plugged in fires added with its model; a monitor connected fires display changed
    naming the connector. A hotkey another program holds is not silently dead: the log says it is already taken,
    and a tray message appears."""
    address, bus = system_bus
    out = {name: tmp_path / f"{name}.txt" for name in TRIGGERS}
    for name, (trigger, line) in TRIGGERS.items():
        product.write(f"{name}.yaml", TRIGGERED_FLOW.format(name=name, trigger=trigger, line=line, out=out[name]))
    card, connector = udevbed.graphics_card()
    other = display.Display(tray_on_desk.x.display)  # another program holding ctrl+alt+t
    other.screen().root.grab_key(other.keysym_to_keycode(ord("t")), X.ControlMask | X.Mod1Mask, True,
                                 X.GrabModeAsync, X.GrabModeAsync)  # fmt: skip
    other.sync()
    env = {**udevbed.env(), "DBUS_SYSTEM_BUS_ADDRESS": address}
    app = started(tray_on_desk.x, product, env=env)
    try:
        taken = "taken.yaml: the hotkey trigger is not armed: the hotkey ctrl+alt+t is already taken by another program"
        assert app.wait_log("(?m)" + re.escape(taken) + "$", 20)  # the whole line
        app.wait_for(app.popup_visible, "the tray message about the taken hotkey is shown")
        app.shot(tmp_path / "taken.png")
        time.sleep(0.5)  # the watchers' grabs and match rules are in place once the service has started
        app.xdo("key", "ctrl+alt+r")
        probe = subprocess.Popen([sys.executable, str(PROBE), "Invoice 12"], env=tray_on_desk.x.env(),
                                 stdout=subprocess.DEVNULL)  # fmt: skip
        assert wait_until(lambda: lines(out["win"]) == ["opened Invoice 12"], 15), lines(out["win"])
        probe.terminate()
        probe.wait(5)
        for text in ("not a link", "https://flowdeck.example/a"):
            subprocess.run([sys.executable, str(PROBE), "--copy", text], env=tray_on_desk.x.env(), timeout=10,
                           check=True)  # fmt: skip
        session = DBusAddress("/org/freedesktop/login1/session/_32", interface="org.freedesktop.login1.Session")
        bus.send(new_signal(session, "Unlock"))
        udevbed.plug_usb_stick()
        udevbed.plug_monitor(card, connector)
        expected = {
            "hot": ["hotkey ctrl+alt+r"],
            "win": ["opened Invoice 12", "closed Invoice 12"],
            "clip": ["https://flowdeck.example/a"],
            "unlock": ["session unlock"],
            "usb": ["added Cruzer_Blade"],
            "screen": ["changed HDMI-A-1"],
        }
        assert wait_until(lambda: all(lines(out[n]) for n in expected), 20), {n: lines(out[n]) for n in expected}
        time.sleep(0.5)  # nothing more comes: one press is one run, the text that did not match fired nothing
        assert {n: lines(out[n]) for n in expected} == expected
        assert not out["taken"].exists()
        assert {r["status"] for n in expected for r in product.history(n)} == {"succeeded"}
    finally:
        app.stop()
        other.close()
