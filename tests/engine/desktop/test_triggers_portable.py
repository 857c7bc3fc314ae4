"""The hotkey, window and clipboard triggers armed by the scheduling service the way Windows and macOS arm them
(pynput's global hotkeys, polling the backend's windows and clipboard), here on X11 under Xvfb with openbox."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.desktop import backend
from engine.scheduling.desktop_arm import PORTABLE_ENV
from engine.scheduling.entries import ServiceEvent
from tests.engine.scheduling.helpers import lines, service, wait_for
from tests.support.desk import PROBE, TRIGGERED_FLOW, Desk

pytestmark = pytest.mark.xdisplay


def _flow(ws: Path, name: str, trigger: str, line: str, out: Path) -> None:
    text = TRIGGERED_FLOW.format(name=name, trigger=trigger, line=line, out=out)
    (ws / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_hotkey_window_and_clipboard_fire_when_armed_as_on_windows_and_macos(
    tmp_path: Path, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PORTABLE_ENV, "1")
    svc = service(tmp_path)
    hot, win, clip = tmp_path / "hot.txt", tmp_path / "win.txt", tmp_path / "clip.txt"
    _flow(svc.workspace, "hot", "hotkey: {keys: ctrl+alt+p}", "{{ trigger.kind }} {{ trigger.keys }}", hot)
    _flow(svc.workspace, "win", 'window: {title: "Quote*", on: [opened, closed]}',
          "{{ trigger.event }} {{ trigger.app }} {{ trigger.title }}", win)  # fmt: skip
    _flow(svc.workspace, "clip", 'clipboard: {match: "^https?://"}', "{{ trigger.text }}", clip)
    seen: list[ServiceEvent] = []
    svc.subscribe(seen.append)
    svc.start()
    try:
        assert [e.message for e in seen if e.kind == "not_armed"] == []
        backend().press(["ctrl", "alt", "p"], 0.01)
        assert wait_for(lambda: lines(hot), 10), "the hotkey did not fire"
        probe = subprocess.Popen([sys.executable, str(PROBE), "Quote 3"], env=desk.x.env(), stdout=subprocess.PIPE)
        assert wait_for(lambda: lines(win) == ["opened flowprobe Quote 3"], 10), lines(win)
        probe.terminate()
        probe.wait(5)
        assert wait_for(lambda: len(lines(win)) == 2, 10)
        assert lines(win)[1] == "closed flowprobe Quote 3"
        for text in ("not a link", "https://flowdeck.example/b"):
            subprocess.run([sys.executable, str(PROBE), "--copy", text, "1.5"], env=desk.x.env(), timeout=10,
                           check=True)  # fmt: skip
        assert wait_for(lambda: lines(clip), 10)
        time.sleep(0.3)
        assert lines(hot) == ["hotkey ctrl+alt+p"]  # once: one press is one run
        assert lines(clip) == ["https://flowdeck.example/b"]  # the text that did not match fired nothing
    finally:
        svc.stop(grace=2)


def test_a_hotkey_another_workflow_has_is_reported_and_the_first_keeps_it(
    tmp_path: Path, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PORTABLE_ENV, "1")
    svc = service(tmp_path)
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    _flow(svc.workspace, "a", "hotkey: {keys: ctrl+alt+q}", "a", first)
    _flow(svc.workspace, "b", "hotkey: {keys: Alt+Ctrl+Q}", "b", second)
    seen: list[ServiceEvent] = []
    svc.subscribe(seen.append)
    svc.start()
    try:
        assert [e.message for e in seen if e.kind == "not_armed"] == [
            "b.yaml: the hotkey trigger is not armed: the hotkey ctrl+alt+q is already the trigger of a.yaml"
        ]
        backend().press(["ctrl", "alt", "q"], 0.01)
        assert wait_for(lambda: lines(first), 10)
        time.sleep(0.3)
        assert (lines(first), lines(second)) == (["a"], [])
    finally:
        svc.stop(grace=2)
