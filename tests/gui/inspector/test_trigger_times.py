"""The workflow page's "Next:" times are the scheduler's: an armed `every` keeps its remembered rhythm, and times
less than a minute apart show their seconds."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from engine.io import read_text, save_workflow
from engine.model.workflow import Trigger
from engine.scheduling.jobs import trigger_key
from engine.scheduling.service import _default_state_dir
from engine.scheduling.state import SchedulerState
from gui.document import WorkflowDocument
from gui.inspector.workflow_page import WorkflowPage

FLOW = "flowdeck: 1\nname: Ticks\ntriggers:\n  - schedule: {every: %s}\nsteps:\n  a: {do: log, with: {message: hi}}\n"


def _page(qtbot: QtBot, tmp_path: Path, every: str) -> tuple[WorkflowPage, Path]:
    wf, _ = read_text(FLOW % every)
    path = tmp_path / "ticks.yaml"
    save_workflow(wf, path)
    document = WorkflowDocument(wf)
    document.path = path.resolve()
    page = WorkflowPage(document)
    qtbot.addWidget(page)
    return page, path.resolve()


def _shown(page: WorkflowPage) -> list[datetime]:
    text = page.triggers.cards[0].words.text().split("Next: ", 1)[1]
    return [datetime.strptime(t, "%a %d %b %H:%M:%S") for t in re.findall(r"\w{3} \d\d \w{3} \d\d:\d\d:\d\d", text)]


def test_an_armed_every_shows_the_rhythm_the_scheduler_keeps(qtbot: QtBot, tmp_path: Path) -> None:
    now = datetime.now().astimezone()
    state = SchedulerState(_default_state_dir())
    last = (now - timedelta(seconds=20)).replace(microsecond=0)
    page, path = _page(qtbot, tmp_path, "45s")
    state.set_seen(trigger_key(path, Trigger("schedule", {"every": "45s"})), last)
    state.close()
    page.triggers.cards[0].show_trigger(page.document.workflow.triggers[0])
    first = _shown(page)[0]
    assert first.time() == (last + timedelta(seconds=45)).time()  # 25 s from now, not 45


def test_times_under_a_minute_apart_show_seconds(qtbot: QtBot, tmp_path: Path) -> None:
    page, _ = _page(qtbot, tmp_path, "1s")
    times = _shown(page)
    assert len(times) == 5 and len(set(times)) == 5
    assert [round((b - a).total_seconds()) for a, b in itertools.pairwise(times)] == [1] * 4


def test_the_workflows_page_says_seconds_under_a_minute() -> None:
    from gui.shell.dashboard import when

    assert when(1000.4, 1000.0) == "in 1 s"
    assert when(1042.0, 1000.0) == "in 42 s"
    assert when(1100.0, 1000.0) == "in 2 min"


def test_a_folder_watch_is_called_the_same_in_the_inspector_and_the_history(qtbot: QtBot) -> None:
    from gui.inspector.triggers import NEW, TriggerCard
    from gui.shell.history_model import source_text

    card = TriggerCard(0, Trigger("watch", {"path": "~/Downloads", "pattern": "*.pdf"}))
    qtbot.addWidget(card)
    assert card.title.text() == "Watch a folder" == next(text for text, kind, _ in NEW if kind == "watch")
    assert source_text("watch") == "by a folder watch"
