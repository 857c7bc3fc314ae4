"""EngineBridge: a real Engine's events arrive as Qt signals on the GUI thread, in order, without blocking runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from engine.io import WorkflowError, read_text
from engine.model.workflow import Workflow
from engine.registry.blocks import default_registry
from engine.runtime import Engine
from gui.bridge import EngineBridge

REGISTRY = default_registry()

OK = """
flowdeck: 1
name: Bridge ok
steps:
  hello:
    do: log
    with: {message: "hello {{ 1 + 1 }}"}
    next: bye
  bye:
    do: log
    with: {message: bye, level: warning}
"""

FAILS = """
flowdeck: 1
name: Bridge fails
steps:
  first:
    do: log
    with: {message: before}
    next: broken
  broken:
    do: fail
    with: {message: on purpose}
"""

SLOW = """
flowdeck: 1
name: Bridge slow
steps:
  pause:
    do: wait
    with: {duration: 20s}
"""


def load(text: str) -> Workflow:
    wf, problems = read_text(text, "bridge.yaml", REGISTRY)
    assert wf is not None and not [p for p in problems if p.severity == "error"], problems
    return wf


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = Engine(workers=2, registry=REGISTRY)
    yield eng
    eng.shutdown(1)


class Recorder:
    """Records (signal name, event, whether it arrived on the GUI thread) for every bridge signal."""

    NAMES = (
        "runStarted",
        "runFinished",
        "stepStarted",
        "stepFinished",
        "stepFailed",
        "stepRetrying",
        "stepSkipped",
        "logLine",
        "progress",
    )

    def __init__(self, bridge: EngineBridge) -> None:
        self.seen: list[tuple[str, Any, bool]] = []
        self.all: list[Any] = []
        for name in self.NAMES:
            getattr(bridge, name).connect(lambda e, n=name: self.seen.append((n, e, self._on_gui())))
        bridge.event.connect(lambda e: self.all.append(e))

    @staticmethod
    def _on_gui() -> bool:
        return QThread.currentThread() is QApplication.instance().thread()

    def names(self, run_id: str) -> list[str]:
        return [n for n, e, _ in self.seen if e.run_id == run_id]


def test_events_arrive_by_kind_on_the_gui_thread(qtbot: Any, engine: Engine) -> None:
    bridge = EngineBridge(engine)
    rec = Recorder(bridge)
    with qtbot.waitSignal(bridge.runFinished, timeout=10000):
        run_id = bridge.run(load(OK))
    names = rec.names(run_id)
    assert names[0] == "runStarted" and names[-1] == "runFinished"
    assert names.count("stepStarted") == 2 and names.count("stepFinished") == 2
    assert names.count("logLine") == 2
    assert all(on_gui for _, _, on_gui in rec.seen)
    logs = [e for n, e, _ in rec.seen if n == "logLine"]
    assert [e.data["message"] for e in logs] == ["hello 2", "bye"]
    assert logs[1].data["level"] == "warning" and logs[1].step == "bye"
    assert rec.seen[-1][1].data["status"] == "succeeded"
    assert len(rec.all) == len(names)  # `event` carries every one of them too
    bridge.close()


def test_failure_reaches_step_failed_and_run_finished(qtbot: Any, engine: Engine) -> None:
    bridge = EngineBridge(engine)
    rec = Recorder(bridge)
    with qtbot.waitSignal(bridge.runFinished, timeout=10000) as blocker:
        run_id = bridge.run(load(FAILS))
    failed = [e for n, e, _ in rec.seen if n == "stepFailed" and e.run_id == run_id]
    assert [e.step for e in failed] == ["broken"]
    assert "on purpose" in failed[0].data["error"]
    assert blocker.args[0].data["status"] == "failed"
    bridge.close()


def test_cancel_stops_a_run_and_unknown_runs_say_no(qtbot: Any, engine: Engine) -> None:
    bridge = EngineBridge(engine)
    with qtbot.waitSignal(bridge.stepStarted, timeout=10000):
        run_id = bridge.run(load(SLOW))
    with qtbot.waitSignal(bridge.runFinished, timeout=10000) as blocker:
        assert bridge.cancel(run_id) is True
    assert blocker.args[0].data["status"] == "cancelled"
    assert bridge.cancel("no-such-run") is False
    bridge.close()


def test_invalid_workflow_raises_workflow_error(engine: Engine) -> None:
    bridge = EngineBridge(engine)
    wf, _ = read_text("flowdeck: 1\nname: bad\nsteps:\n  a:\n    do: log\n", "bad.yaml", REGISTRY)
    assert wf is not None
    with pytest.raises(WorkflowError):
        bridge.run(wf)
    bridge.close()


def test_engine_thread_never_waits_for_a_busy_gui(qtbot: Any, engine: Engine) -> None:
    """While the GUI thread is busy the listener returns at once; the burst is delivered later, in order."""
    bridge = EngineBridge(engine, all_runs=True)
    rec = Recorder(bridge)
    wf = load("flowdeck: 1\nname: burst\nsteps:\n" + "".join(_log_step(i) for i in range(40)))
    handle = engine.submit(wf)  # the GUI thread does not spin its loop until the run is over
    assert handle.wait(10).status == "succeeded"
    assert engine.bus.flush(10)  # every event went through the listener without the GUI thread's help
    assert rec.seen == []
    qtbot.waitUntil(lambda: any(n == "runFinished" for n, _, _ in rec.seen), timeout=10000)
    logs = [e.data["message"] for n, e, _ in rec.seen if n == "logLine"]
    assert logs == [f"line {i}" for i in range(40)]
    bridge.close()


def _log_step(i: int) -> str:
    nxt = f"\n    next: s{i + 1}" if i < 39 else ""
    return f"  s{i}:\n    do: log\n    with: {{message: line {i}}}{nxt}\n"


def test_close_unsubscribes(qtbot: Any, engine: Engine) -> None:
    bridge = EngineBridge(engine)
    rec = Recorder(bridge)
    bridge.close()
    done = threading.Event()
    engine.subscribe(lambda e: done.set() if e.kind == "run_finished" else None)
    engine.run(load(OK))
    assert done.wait(10)
    qtbot.wait(100)
    assert rec.seen == []


def test_a_long_backlog_is_delivered_over_several_turns(qtbot: Any, engine: Engine) -> None:
    """More than CHUNK waiting events: timers and input get turns between the chunks; order is kept."""
    from PySide6.QtCore import QTimer

    from gui.bridge import CHUNK

    bridge = EngineBridge(engine, all_runs=True)
    rec = Recorder(bridge)
    items = CHUNK  # each iteration emits started, log and finished: three times CHUNK events
    wf = load(
        "flowdeck: 1\nname: backlog\nsteps:\n"
        f"  loop:\n    do: for_each\n    with: {{items: '{{{{ range({items}) | list }}}}'}}\n    next: {{body: say}}\n"
        "  say:\n    do: log\n    with: {message: 'n{{ loop.item }}'}\n"
    )
    assert engine.submit(wf).wait(20).status == "succeeded"
    assert engine.bus.flush(10)
    seen_at_ticks: list[int] = []
    ticker = QTimer()
    ticker.setInterval(0)
    ticker.timeout.connect(lambda: seen_at_ticks.append(len(rec.seen)))
    ticker.start()
    qtbot.waitUntil(lambda: any(n == "runFinished" for n, _, _ in rec.seen), timeout=10000)
    ticker.stop()
    total = len(rec.seen)
    assert any(0 < n < total for n in seen_at_ticks)  # the loop ran between chunks
    logs = [e.data["message"] for n, e, _ in rec.seen if n == "logLine"]
    assert logs == [f"n{i}" for i in range(items)]
    bridge.close()


def test_runs_started_elsewhere_only_cross_over_at_start_and_finish(qtbot: Any, engine: Engine) -> None:
    """A workflow run from the tray or scheduler (same engine) does not wake the window for every step."""
    bridge = EngineBridge(engine)
    rec = Recorder(bridge)
    elsewhere = engine.submit(load(OK), source="schedule")
    with qtbot.waitSignal(bridge.runFinished, timeout=10000, check_params_cb=lambda e: e.run_id == elsewhere.run_id):
        pass
    assert rec.names(elsewhere.run_id) == ["runStarted", "runFinished"]
    with qtbot.waitSignal(bridge.runFinished, timeout=10000):
        mine = bridge.run(load(OK))
    assert rec.names(mine).count("logLine") == 2
    bridge.close()
