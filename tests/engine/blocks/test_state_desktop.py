"""State between runs (a real state database through the Engine), notifications, clipboard and open via the host."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
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
    assert (state / "state.sqlite3").is_file()  # kept in the state database between engines


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


def test_headless_clipboard_is_a_clear_error(ctx: Ctx) -> None:
    with pytest.raises(StepError, match=r"the clipboard needs the Flowdeck app"):
        clipboard_read(ctx)
    with pytest.raises(StepError, match=r"the clipboard needs the Flowdeck app"):
        clipboard_write(ctx, "x")
    with pytest.raises(StepError, match=r"level: expected one of"):
        notify(ctx, "t", level="loud")


OPENER = "open" if sys.platform == "darwin" else "xdg-open"


def fake_opener(folder: Path, body: str) -> Path:
    """A real executable named like the system's opener, in a folder of its own (put first on PATH)."""
    folder.mkdir(exist_ok=True)
    script = folder / OPENER
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return folder


OPEN_FLOW = """flowdeck: 1
name: Show
steps:
  show:
    do: open
    with: {target: "{{ vars.target }}"}
"""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows opens through os.startfile, not a program on PATH")
def test_headless_open_hands_the_target_to_the_system_opener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "opened.txt"
    bin_dir = fake_opener(tmp_path / "bin", f'printf "%s\\n" "$1" >> "{record}"')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    (tmp_path / "report.pdf").write_text("x")
    for target in ("report.pdf", "https://example.org/page?a=1&b=2"):
        result = run_yaml(OPEN_FLOW, tmp_path, variables={"target": target})
        assert result.ok, result.error
    assert record.read_text().splitlines() == [str(tmp_path / "report.pdf"), "https://example.org/page?a=1&b=2"]


@pytest.mark.skipif(sys.platform == "win32", reason="Windows opens through os.startfile, not a program on PATH")
def test_headless_open_does_not_wait_for_the_app_and_reaps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An opener that keeps running (as one that starts the app itself does) is left alone in its own session."""
    pid_file = tmp_path / "pid"
    bin_dir = fake_opener(tmp_path / "bin", f'echo $$ > "{pid_file}"; exec sleep 30')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.monotonic()
    result = run_yaml(OPEN_FLOW, tmp_path, variables={"target": "https://example.org"})
    assert result.ok, result.error
    assert time.monotonic() - started < 10  # not the 30 s the "app" runs
    pid = int(pid_file.read_text())
    try:
        assert os.getsid(pid) == pid  # detached: its own session, so closing Flowdeck does not end it
    finally:
        os.kill(pid, signal.SIGTERM)
    if sys.platform.startswith("linux"):  # a zombie stays in /proc until its parent reaps it
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists(), "the ended opener was left as a zombie"


@pytest.mark.skipif(sys.platform == "win32", reason="Windows opens through os.startfile, not a program on PATH")
def test_headless_open_without_an_opener_or_with_a_failing_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "report.pdf").write_text("x")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # a PATH with no opener on it
    none = run_yaml(OPEN_FLOW, tmp_path, variables={"target": "report.pdf"})
    assert none.status == "failed" and none.error["step"] == "show"
    assert none.error["message"] == (
        f"cannot open {tmp_path / 'report.pdf'}: no desktop opener was found (this run is not in the Flowdeck app, "
        "and neither xdg-open nor gio is installed)"
    )
    monkeypatch.setenv("PATH", str(fake_opener(tmp_path / "bin", "exit 4")))
    failing = run_yaml(OPEN_FLOW, tmp_path, variables={"target": "https://example.org"})
    assert failing.status == "failed" and failing.error["step"] == "show"
    assert failing.error["message"] == (
        f"cannot open https://example.org: {OPENER} failed (exit code 4); is there an app for this kind of file?"
    )


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
