"""State between runs (a real FileState through the Engine), notifications, clipboard and open via the host."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from engine.blocks.desktop import clipboard_read, clipboard_write, notify, open_target
from engine.blocks.state import state_get, state_increment, state_set
from engine.errors import StepError
from tests.engine.blocks.conftest import Ctx, run_yaml


class DesktopHost:
    """A host with a clipboard and a record of what was shown or opened (what the app's host does on screen)."""

    def __init__(self) -> None:
        self.clip = ""
        self.shown: list[tuple[str, str, str]] = []
        self.opened: list[str] = []

    def notify(self, title: str, message: str, level: str = "info") -> None:
        self.shown.append((title, message, level))

    def clipboard_get(self) -> str:
        return self.clip

    def clipboard_set(self, text: str) -> None:
        self.clip = text

    def open(self, target: str) -> None:
        self.opened.append(target)


def test_state_set_get_changed(ctx: Ctx) -> None:
    assert state_get(ctx, "seen", default="none") == {"value": "none", "found": False}
    first = state_set(ctx, "seen", "v1")
    assert (first["previous"], first["changed"]) == (None, True)
    assert state_set(ctx, "seen", "v1")["changed"] is False
    assert state_get(ctx, "seen") == {"value": "v1", "found": True}
    state_set(ctx, "seen", None)
    assert state_get(ctx, "seen")["found"] is False


def test_counter(ctx: Ctx) -> None:
    assert state_increment(ctx, "fails")["value"] == 1
    assert state_increment(ctx, "fails", by=2) == {"value": 3, "previous": 1}
    assert state_increment(ctx, "fails", reset=True)["value"] == 0
    state_set(ctx, "name", "text")
    with pytest.raises(StepError, match=r"the saved value 'name' is 'text', not a number"):
        state_increment(ctx, "name")
    with pytest.raises(StepError, match=r"key: give the name"):
        state_get(ctx, " ")


ONCE = """flowdeck: 1
name: Notify once
steps:
  count:
    do: state.increment
    with: {key: runs}
    next: remember
  remember:
    do: state.set
    with: {key: alert, value: "{{ vars.problem }}"}
    next: check
  check:
    do: if
    with: {condition: "{{ steps.remember.changed }}"}
    next: {then: tell}
  tell:
    do: notify
    with: {title: Problem, message: "{{ vars.problem }} (run {{ steps.count.value }})", level: warning}
"""


def test_only_notify_once_across_engine_runs(tmp_path: Path) -> None:
    state, host = tmp_path / "state", DesktopHost()
    for problem in ("disk full", "disk full", "fan broken"):
        result = run_yaml(ONCE, tmp_path, state_dir=state, host=host, variables={"problem": problem})
        assert result.ok, result.error
    assert host.shown == [("Problem", "disk full (run 1)", "warning"), ("Problem", "fan broken (run 3)", "warning")]
    assert len(list(state.glob("*.json"))) == 1  # kept in a file between engines


def test_notify_headless_goes_to_the_log(ctx: Ctx, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="flowdeck.run"):
        notify(ctx, "Backup done", {"files": 3})
    assert '[notification] Backup done: {"files": 3}' in caplog.text


def test_clipboard_and_open_with_a_desktop(tmp_path: Path) -> None:
    host = DesktopHost()
    ctx = Ctx(tmp_path, host=host)
    clipboard_write(ctx, ["a", 1])
    assert clipboard_read(ctx)["text"] == '["a", 1]'
    (tmp_path / "report.pdf").write_text("x")
    assert open_target(ctx, "report.pdf")["target"] == str(tmp_path / "report.pdf")
    open_target(ctx, "https://example.org/page")
    assert host.opened == [str(tmp_path / "report.pdf"), "https://example.org/page"]
    with pytest.raises(StepError, match=r"file or folder not found: .*missing.txt"):
        open_target(ctx, "missing.txt")


def test_headless_clipboard_and_open_are_clear_errors(ctx: Ctx, tmp_path: Path) -> None:
    with pytest.raises(StepError, match=r"the clipboard needs the Flowdeck app"):
        clipboard_read(ctx)
    with pytest.raises(StepError, match=r"the clipboard needs the Flowdeck app"):
        clipboard_write(ctx, "x")
    with pytest.raises(StepError, match=r"no desktop \(headless\)"):
        open_target(ctx, "https://example.org")
    with pytest.raises(StepError, match=r"level: expected one of"):
        notify(ctx, "t", level="loud")


def test_clipboard_through_engine_headless_and_with_a_desktop(tmp_path: Path) -> None:
    flow = """flowdeck: 1
name: Clip
steps:
  copy:
    do: clipboard.write
    with: {text: "run {{ run.id }}"}
    next: paste
  paste:
    do: clipboard.read
"""
    headless = run_yaml(flow, tmp_path)
    assert headless.status == "failed" and headless.error["step"] == "copy"
    assert "the clipboard needs the Flowdeck app" in headless.error["message"]
    desktop = run_yaml(flow, tmp_path, host=DesktopHost())
    assert desktop.ok and desktop.steps["paste"]["text"] == f"run {desktop.run_id}"
