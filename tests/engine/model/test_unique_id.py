"""Step ids the editor makes for new and duplicated steps."""

from __future__ import annotations

from engine.model.workflow import Step, Workflow


def _workflow(*ids: str) -> Workflow:
    wf = Workflow(name="t")
    for step_id in ids:
        wf.steps[step_id] = Step(id=step_id, do="log")
    return wf


def test_a_free_id_is_kept_and_a_taken_one_is_numbered() -> None:
    wf = _workflow("fetch")
    assert wf.unique_id("save") == "save"
    assert wf.unique_id("fetch") == "fetch_2"
    assert wf.unique_id("Fetch page") == "fetch_page"


def test_duplicating_a_numbered_step_counts_on_instead_of_stacking_suffixes() -> None:
    wf = _workflow("fetch", "fetch_2")
    assert wf.unique_id("fetch_2") == "fetch_3"
    assert wf.unique_id("fetch") == "fetch_3"
    assert _workflow("fetch_9").unique_id("fetch_9") == "fetch_10"
