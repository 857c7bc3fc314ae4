"""Hotkey, window and clipboard triggers armed by the scheduling service on a real X display with openbox."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from Xlib import X, display

from engine.desktop import backend
from engine.scheduling.entries import ServiceEvent
from tests.engine.scheduling.helpers import lines, service, wait_for
from tests.support.desk import PROBE, TRIGGERED_FLOW, Desk

pytestmark = pytest.mark.xdisplay


def _flow(ws: Path, name: str, trigger: str, line: str, out: Path) -> None:
    text = TRIGGERED_FLOW.format(name=name, trigger=trigger, line=line, out=out)
    (ws / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_hotkey_fires_once_window_opened_and_closed_fire_clipboard_fires_on_matching_text(
    tmp_path: Path, desk: Desk
) -> None:
    svc = service(tmp_path)
    hot, win, clip = tmp_path / "hot.txt", tmp_path / "win.txt", tmp_path / "clip.txt"
    _flow(svc.workspace, "hot", "hotkey: {keys: ctrl+alt+r}", "{{ trigger.kind }} {{ trigger.keys }}", hot)
    _flow(svc.workspace, "win", 'window: {title: "Invoice*", on: [opened, closed]}',
          "{{ trigger.event }} {{ trigger.app }} {{ trigger.title }}", win)  # fmt: skip
    _flow(svc.workspace, "clip", 'clipboard: {match: "^https?://"}', "{{ trigger.text }}", clip)
    svc.start()
    try:
        backend().press(["ctrl", "alt", "r"], 0.01)
        assert wait_for(lambda: lines(hot), 10), "the hotkey did not fire"
        probe = subprocess.Popen([sys.executable, str(PROBE), "Invoice 12"], env=desk.x.env(), stdout=subprocess.PIPE)
        assert wait_for(lambda: lines(win) == ["opened flowprobe Invoice 12"], 10), lines(win)
        probe.terminate()
        probe.wait(5)
        assert wait_for(lambda: len(lines(win)) == 2, 10)
        assert lines(win)[1] == "closed flowprobe Invoice 12"
        for text in ("not a link", "https://flowdeck.example/a"):
            subprocess.run([sys.executable, str(PROBE), "--copy", text], env=desk.x.env(), timeout=10, check=True)
        assert wait_for(lambda: lines(clip), 10)
        time.sleep(0.3)
        assert lines(hot) == ["hotkey ctrl+alt+r"]  # once: one press is one run
        assert lines(clip) == ["https://flowdeck.example/a"]  # the text that did not match fired nothing
    finally:
        svc.stop(grace=2)


def test_a_hotkey_another_program_holds_is_reported_not_silently_dead(tmp_path: Path, desk: Desk) -> None:
    other = display.Display(desk.x.display)  # another program holding ctrl+alt+t
    code = other.keysym_to_keycode(ord("t"))
    other.screen().root.grab_key(code, X.ControlMask | X.Mod1Mask, True, X.GrabModeAsync, X.GrabModeAsync)
    other.sync()
    svc = service(tmp_path)
    _flow(svc.workspace, "taken", "hotkey: {keys: ctrl+alt+t}", "x", tmp_path / "x.txt")
    seen: list[ServiceEvent] = []
    svc.subscribe(seen.append)
    svc.start()
    try:
        problems = [e for e in seen if e.kind == "not_armed"]
        assert len(problems) == 1
        assert problems[0].message == (
            "taken.yaml: the hotkey trigger is not armed: the hotkey ctrl+alt+t is already taken by another program"
        )
    finally:
        svc.stop(grace=2)
        other.close()
