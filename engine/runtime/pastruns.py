"""Step outputs taken from past runs in the history: what a run from a step, a run of one step and a pin reuse.

One rule for the CLI (``flowdeck run --from/--step``, ``flowdeck pin``) and the editor (Run from here, Run this step,
Pin output): the outputs of the steps that succeeded in a given run, or in this workflow's last run.
"""

from __future__ import annotations

from typing import Any


class NoPastRun(LookupError):
    """The run asked for is not in the history, or no run gave the output asked for (one line)."""


def past_outputs(history: Any, workflow: str, run_id: str | None = None) -> tuple[dict[str, Any], str | None]:
    """The outputs of the steps that succeeded in run ``run_id`` (or ``workflow``'s last run), and that run's id;
    ``({}, None)`` when the workflow has no run yet."""
    if run_id:
        record = history.run(run_id)
        if record is None:
            raise NoPastRun(f"--using-run {run_id}: no such run in the history (flowdeck history lists them)")
    else:
        last = history.last_run(workflow)
        record = history.run(last.run_id) if last is not None else None
        if record is None:
            return {}, None
    return {s.step: s.output for s in record.steps if s.status == "succeeded"}, record.run_id


def step_output(history: Any, workflow: str, step: str, run_id: str | None = None) -> tuple[Any, str]:
    """``step``'s output in run ``run_id``, or in the last of ``workflow``'s recent runs that ran it successfully."""
    ids = [run_id] if run_id else [r.run_id for r in history.runs(workflow, limit=50)]
    for rid in ids:
        record = history.run(rid)
        if record is None:
            break
        for s in record.steps:
            if s.step == step and s.status == "succeeded":
                return s.output, record.run_id
    which = f"run {run_id}" if run_id else f"the last runs of {workflow}"
    raise NoPastRun(f"no output of step '{step}' in {which}")
