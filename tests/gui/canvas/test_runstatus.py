"""The path a recorded run took, worked out from its steps (the history keeps no ports)."""

from __future__ import annotations

from engine.runtime.records import StepRecord
from gui.canvas.runstatus import taken_in_record


def _steps(*rows: tuple[str, str, float]) -> dict[str, StepRecord]:
    return {name: StepRecord(name, "log", status, started=started) for name, status, started in rows}


def test_a_branch_taken_and_an_error_route() -> None:
    wires = [("a", "next", "b"), ("b", "then", "c"), ("b", "else", "d"), ("c", "next", "e"), ("c", "error", "f")]
    ran = _steps(("a", "succeeded", 1), ("b", "succeeded", 2), ("c", "failed", 3), ("f", "succeeded", 4))
    assert taken_in_record(wires, ran) == {("a", "next", "b"), ("b", "then", "c"), ("c", "error", "f")}


def test_a_failure_that_continues_goes_on_by_next_and_order_counts() -> None:
    wires = [("a", "next", "b"), ("b", "next", "a")]  # a loop back: b → a is taken only if a ran after b
    ran = _steps(("a", "failed", 1), ("b", "succeeded", 2))
    assert taken_in_record(wires, ran) == {("a", "next", "b")}  # on_error continue: no error wire from a
