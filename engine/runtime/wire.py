"""What crosses the boundary between the engine and its run processes (engine.runtime.procpool and .worker).

Messages are tuples whose first item is one of the kinds below, sent over a ``multiprocessing`` connection
(pickled). Events travel as plain tuples, and a burst of them is thinned before it is sent: a loop body's many
``step_started``/``step_finished`` pairs within one burst become the last pair. Every listener (the history, the
run panel, the canvas badges) keeps only the latest state of a step, so what they show is unchanged, while a
CPU-bound loop no longer floods the scheduler's process with tens of thousands of events a second.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

from engine.runtime import events as ev
from engine.runtime.history import TRUNCATED

# parent → worker
RUNS = "runs"  # [(run_id, snapshot (pickled Workflow), folder, trigger, variables, source, host (bool), debug)]
CANCEL = "cancel"  # run_id
RECALL = "recall"  # give back the runs sent and not begun (another process is free)
DEBUG = "debug"  # run_id, command, target (engine.runtime.debug)
REPLY = "reply"  # call_id, ok, value (ok) or (message, kind) (not ok)
STOP = "stop"
# worker → parent
READY = "ready"  # pid
EVENTS = "events"  # list of event tuples
RESULT = "result"  # run_id, RunResult fields as a dict, secret values, the run's last events
RETURNED = "returned"  # run ids sent and not begun, given back after a RECALL
CALL = "call"  # call_id, run_id, target ("host" | "state"), method, args
LOG = "log"  # logger name, level number, message

TRIM_CHARS = 64_000  # a value longer than this once written as JSON crosses as its truncated text (as history keeps it)
UNSENDABLE = "(a value that could not be sent between processes: {reason})"
_BULKY = ("inputs", "output", "outputs")
_encode = json.JSONEncoder(default=str, ensure_ascii=False).encode

# Events that listeners fold into "the latest state of this step": only the last of a burst matters.
_LATEST_WINS = frozenset({ev.STEP_STARTED, ev.STEP_FINISHED, ev.PROGRESS})


def pack(event: ev.Event) -> tuple[Any, ...]:
    return (event.kind, event.run_id, event.workflow, event.step, event.data, event.time)


def unpack(item: tuple[Any, ...]) -> ev.Event:
    kind, run_id, workflow, step, data, when = item
    return ev.Event(kind, run_id, workflow, step, data, when)


def thin(batch: list[ev.Event]) -> list[ev.Event]:
    """``batch`` without the step_started/step_finished/progress events a later one of the same kind and step
    supersedes; everything else (logs, failures, retries, run events) is kept, and the order is kept."""
    if len(batch) < 3:
        return batch
    last: dict[tuple[str, str, str | None], int] = {}
    for i, event in enumerate(batch):
        if event.kind in _LATEST_WINS:
            last[(event.kind, event.run_id, event.step)] = i
    if len(last) == sum(1 for e in batch if e.kind in _LATEST_WINS):
        return batch
    return [e for i, e in enumerate(batch) if e.kind not in _LATEST_WINS or last[(e.kind, e.run_id, e.step)] == i]


def trimmed(value: Any) -> Any:
    """``value``, or its truncated JSON text when that is longer than ``TRIM_CHARS`` (or a note saying why it
    cannot cross when it nests too deep to be measured or written)."""
    try:
        if value is None or isinstance(value, (int, float, bool)) or _room(value, TRIM_CHARS // 2) >= 0:
            return value  # surely short: not encoded (most values, once per event)
        text = value if isinstance(value, str) else _encode(value)
    except RecursionError as exc:
        return UNSENDABLE.format(reason=f"RecursionError: {exc}")
    return value if len(text) <= TRIM_CHARS else text[:TRIM_CHARS] + TRUNCATED.format(size=len(text))


def _room(value: Any, budget: int) -> int:
    """``budget`` less a rough size of ``value`` (its texts and a few characters per item); negative once spent,
    which stops the walk early. Cheap where encoding would not be: it only decides what needs a real look."""
    if isinstance(value, str):
        return budget - len(value)
    if isinstance(value, dict):
        for key, item in value.items():
            budget = _room(item, budget - 8 - len(str(key)))
            if budget < 0:
                return budget
        return budget
    if isinstance(value, (list, tuple)):
        for item in value:
            budget = _room(item, budget - 4)
            if budget < 0:
                return budget
        return budget
    return budget - 24


def trim(event: ev.Event) -> ev.Event:
    """``event`` with each bulky value longer than ``TRIM_CHARS`` (a 20,000-item list a loop returned) replaced by
    the truncated text the history would store anyway. Done in the run's process, so the engine's process neither
    unpickles nor re-encodes megabytes while it should be firing schedules; the run's result keeps the real values."""
    data = event.data
    for key in _BULKY:
        value = data.get(key)
        short = trimmed(value)
        if short is value:
            continue
        if data is event.data:
            data = dict(data)
        data[key] = short
    if data is not event.data:
        event = ev.Event(event.kind, event.run_id, event.workflow, event.step, data, event.time)
    return event


def plain(value: Any) -> Any:
    """``value`` as JSON-like data (what could not be pickled as is: an open file a block returned, say)."""
    return json.loads(json.dumps(value, default=repr))


def dumps(message: tuple[Any, ...]) -> bytes:
    """Pickle ``message``; values that cannot be pickled are sent as their JSON-like form instead, and in events
    and results a value that has no such form either (nested too deep) as a note saying why. Raises for any other
    message (a run that cannot be sent fails: engine.runtime.procpool)."""
    try:
        return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        pass
    try:
        return pickle.dumps(plain_message(message), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        if message[0] not in (EVENTS, RESULT):
            raise
    return pickle.dumps(plain_message(message, _safe), protocol=pickle.HIGHEST_PROTOCOL)


def _safe(value: Any, levels: int = 3) -> Any:
    """``plain(value)``, looked at per item of a mapping (``levels`` deep: a run's fields, steps, a step's
    outputs): an item that cannot be pickled even in that form becomes a note saying why."""
    if isinstance(value, dict) and levels > 0:
        return {str(key): _safe(item, levels - 1) for key, item in value.items()}
    try:
        value = plain(value)
        pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return value
    except Exception as exc:
        return UNSENDABLE.format(reason=f"{type(exc).__name__}: {exc}")


def plain_message(message: tuple[Any, ...], plain: Any = plain) -> tuple[Any, ...]:
    """``message`` with its values in JSON-like form (``plain`` says how)."""
    kind = message[0]
    if kind == EVENTS:
        return (kind, [(*item[:4], plain(item[4]), item[5]) for item in message[1]])
    if kind == RESULT:
        events = [(*item[:4], plain(item[4]), item[5]) for item in message[4]]
        return (kind, message[1], plain(message[2]), message[3], events)
    return (kind, *plain(list(message[1:])))
