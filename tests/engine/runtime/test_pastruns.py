"""engine.runtime.pastruns: the outputs a run from a step, a run of one step and a pin take from the history (one
rule for the CLI and the editor), with a real Engine writing a real SQLite history."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.io import read_text
from engine.registry import default_registry
from engine.runtime import Engine
from engine.runtime.debug import Debug
from engine.runtime.history import History
from engine.runtime.pastruns import NoPastRun, past_outputs, step_output

FLOW = """flowdeck: 1
name: Past
steps:
  a: {do: log, with: {message: one}, next: b}
  b: {do: log, with: {message: two}}
"""


def test_outputs_of_the_last_run_and_of_the_last_run_that_ran_a_step(tmp_path: Path) -> None:
    history = History(tmp_path / "history.db")
    engine = Engine(workers=1, registry=default_registry(), history=history)
    wf, _ = read_text(FLOW)
    try:
        assert past_outputs(history, "Past") == ({}, None)
        with pytest.raises(NoPastRun, match="no output of step 'a' in the last runs of Past"):
            step_output(history, "Past", "a")
        full = engine.submit(wf).wait(10)
        alone = engine.submit(wf, debug=Debug(start="b", only=True)).wait(10)
        engine.bus.flush()  # the events reach the history's writer, which then writes them
        history.flush()
        outputs, used = past_outputs(history, "Past")
        assert used == alone.run_id and set(outputs) == {"b"}, "the last run only, as flowdeck run --from says"
        assert past_outputs(history, "Past", full.run_id)[0]["a"] == {"message": "one"}
        assert step_output(history, "Past", "a") == ({"message": "one"}, full.run_id), "the last run that ran it"
        with pytest.raises(NoPastRun, match="--using-run nope: no such run"):
            past_outputs(history, "Past", "nope")
    finally:
        engine.shutdown(2)
        history.close()
