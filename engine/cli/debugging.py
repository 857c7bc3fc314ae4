"""``flowdeck run`` for trying and fixing a workflow: --from, --step, --using-run, --pins, --break.

The options become an engine.runtime.debug.Debug; a run with breakpoints is driven from the terminal: at each pause
the command prints where it stopped and what the run holds, and reads one command a line from stdin
(``c``ontinue, ``s``tep, ``r``un to STEP, ``p``rint NAME, ``q``uit). stdin at its end continues the run.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from engine.cli.output import clean
from engine.runtime import events as ev

if TYPE_CHECKING:
    from engine.model.workflow import Workflow
    from engine.runtime.debug import Debug
    from engine.runtime.engine import RunHandle

PROMPT = "  [c]ontinue  [s]tep  [r]un to STEP  [p]rint NAME  [q]uit > "
SHOWN_CHARS = 200  # a value longer than this is cut in the pause summary (`p NAME` prints it whole)


class DebugOptionError(Exception):
    """A --from/--step/--using-run/--break value that cannot be used (one line)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("trying and fixing (docs/debugging.md)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--from", dest="from_step", metavar="STEP", help="start at STEP; earlier outputs come from "
                       "a past run (--using-run)")  # fmt: skip
    where.add_argument("--step", metavar="STEP", help="run STEP alone, with earlier outputs from a past run")
    group.add_argument("--using-run", metavar="RUN_ID", help="the past run whose outputs --from/--step use "
                       "(default: this workflow's last run; 'none' for none)")  # fmt: skip
    group.add_argument("--pins", action="store_true", help="use the pinned outputs (flowdeck pin) instead of "
                       "running those steps")  # fmt: skip
    group.add_argument("--break", dest="breaks", action="append", default=[], metavar="STEP[=CONDITION]",
                       help="pause before STEP (when CONDITION holds, e.g. 'shout={{ loop.index == 3 }}'); "
                       "repeatable")  # fmt: skip


def wanted(args: argparse.Namespace) -> bool:
    return bool(args.from_step or args.step or args.pins or args.breaks or args.using_run)


def source_of(args: argparse.Namespace) -> str:
    return "step" if args.step else "cli"


def options(args: argparse.Namespace, wf: Workflow, history: Any) -> tuple[Debug, str | None]:
    """The Debug the arguments ask for, and the id of the past run whose outputs it takes (or None)."""
    from engine.runtime.debug import Debug, seed_from_steps
    from engine.runtime.pins import PinsError, load_pins
    from engine.runtime.plan import compile_plan

    start = args.step or args.from_step
    if start and start not in wf.steps:
        import difflib

        close = difflib.get_close_matches(start, list(wf.steps), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise DebugOptionError(f"{args.file}: no step '{start}'{hint}")
    if args.using_run and not start:
        raise DebugOptionError("--using-run needs --from STEP or --step STEP")
    seed: dict[str, Any] = {}
    used: str | None = None
    if start and (args.using_run or "").lower() != "none":
        outputs, used = _past_outputs(history, wf, args.using_run)
        seed = seed_from_steps(compile_plan(wf, check=False), start, outputs)
    pins: dict[str, Any] = {}
    if args.pins:
        try:
            pins = load_pins(Path(args.file))
        except PinsError as exc:
            raise DebugOptionError(str(exc)) from None
        pins = {step: pin for step, pin in pins.items() if step != args.step}  # the step tried runs for real
    breaks = {}
    for item in args.breaks:
        step, _, condition = item.partition("=")
        breaks[step.strip()] = condition.strip() or None
    return Debug(start=start, only=bool(args.step), seed=seed, pins=pins, breakpoints=breaks), used


def _past_outputs(history: Any, wf: Workflow, run_id: str | None) -> tuple[dict[str, Any], str | None]:
    """The outputs of the steps that succeeded in a past run: ``run_id`` or this workflow's last run."""
    from engine.runtime.pastruns import NoPastRun, past_outputs

    if history is None:
        if run_id:
            raise DebugOptionError("--using-run needs the run history (leave out --no-history)")
        return {}, None
    try:
        return past_outputs(history, wf.name, run_id)
    except NoPastRun as exc:
        raise DebugOptionError(str(exc)) from None


class Pauses:
    """The pauses of run ``run_id``, handed from the event thread to the thread that asks the person."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.queue: queue.SimpleQueue[ev.Event | None] = queue.SimpleQueue()

    def __call__(self, event: ev.Event) -> None:
        if event.run_id != self.run_id:
            return
        if event.kind == ev.RUN_PAUSED:
            self.queue.put(event)
        elif event.kind == ev.RUN_FINISHED:
            self.queue.put(None)


def drive(handle: RunHandle, pauses: Pauses, out: TextIO, commands: TextIO = sys.stdin) -> None:
    """Answer each pause of ``handle`` with the commands read from ``commands`` until the run ends; once they
    end, every further pause is shown and continued (the run must not hang waiting for nobody)."""
    asking = True
    while True:
        event = pauses.queue.get()
        if event is None:
            return
        _show(event, out)
        if asking:
            asking = _ask(handle, event, out, commands)
        else:
            handle.debug("continue")


def _show(event: ev.Event, out: TextIO) -> None:
    d = event.data
    lines = [f"⏸ paused before step '{event.step}' [{d.get('block')}]"]
    for title, values in (("vars", d.get("vars") or {}), ("steps", d.get("steps") or {})):
        for name, value in values.items():
            lines.append(f"    {title}.{name} = {_short(value)}")
    if d.get("loop") is not None:
        lines.append(f"    loop = {_short(d['loop'])}")
    if d.get("error") is not None:
        lines.append(f"    error = {_short(d['error'])}")
    out.write("\n".join(clean(line) for line in lines) + "\n")
    out.flush()


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + f"… ({len(text):,} characters)"


def _ask(handle: RunHandle, event: ev.Event, out: TextIO, commands: TextIO) -> bool:
    """Read commands until one moves the run on; False when there are no more (the run is continued)."""
    while True:
        out.write(PROMPT)
        out.flush()
        line = commands.readline()
        if line and not commands.isatty():
            out.write(line)  # echoed: a log of a piped session reads like the terminal would have shown it
        if not line:
            out.write("(no more commands: continuing to the end)\n")
            handle.debug("continue")
            return False
        word, _, rest = line.strip().partition(" ")
        word, rest = word.lower(), rest.strip()
        move = _MOVES.get(word)
        if move is not None and (move != "run_to" or rest):
            handle.debug(move, rest or None)
            return True
        if word in ("p", "print") and rest:
            out.write(clean(_lookup(event, rest)) + "\n")
            continue
        out.write("expected c, s, r STEP, p NAME or q\n")


_MOVES = {"": "continue", "c": "continue", "continue": "continue", "s": "step", "step": "step", "r": "run_to",
          "run": "run_to", "q": "stop", "quit": "stop", "stop": "stop"}  # fmt: skip


def _lookup(event: ev.Event, name: str) -> str:
    """``vars.greeting``, ``steps.fetch.json.total`` or ``loop.item`` from the paused run's data, as JSON."""
    parts = name.removeprefix("{{").removesuffix("}}").strip().split(".")
    value: Any = event.data
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return f"{name}: not in the paused run's data (vars, steps, loop, error, trigger)"
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)
