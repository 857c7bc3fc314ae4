"""Each block's main setting is shown at the top of the inspector, not folded under "More settings"."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from engine.io import read_text
from engine.registry import default_registry
from gui.document import WorkflowDocument
from gui.inspector import Inspector

TEXT = """
flowdeck: 1
name: Main settings
steps:
  save: {do: file.write, with: {path: out.txt}, next: pause}
  pause: {do: wait}
"""


def test_main_parameters_are_declared() -> None:
    registry = default_registry()
    assert registry["file.write"].param("content").main
    assert registry["wait"].param("duration").main
    assert not registry["file.write"].param("append").main


def test_main_setting_is_outside_more_settings(qtbot: QtBot) -> None:
    wf, _ = read_text(TEXT)
    document = WorkflowDocument(wf)
    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    inspector.resize(360, 900)
    inspector.show()
    for step, main, folded in (("save", "content", "append"), ("pause", "duration", None)):
        inspector.show_step(step)
        page = inspector.page
        assert not page.more.isChecked()
        assert page.rows[main].isVisibleTo(page), f"{step}: {main} is folded away"
        if folded:
            assert not page.rows[folded].isVisibleTo(page)
