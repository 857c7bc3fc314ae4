"""``flowdeck run FILE``: run a workflow here and now, showing each step as it goes."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO

import yaml

from engine.cli import debugging
from engine.cli.output import clean
from engine.runtime import events as ev

if TYPE_CHECKING:
    from engine.runtime.engine import RunHandle
    from engine.runtime.executor import RunResult

HELP = "run a workflow now and show each step; exits 1 if the run fails"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the workflow file")
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a variable (the value is read as YAML: 3, true, [a, b]); repeatable",
    )
    parser.add_argument("--json", action="store_true", help="print the run's record as JSON at the end")
    parser.add_argument("--no-history", action="store_true", help="do not record this run in the run history")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    debugging.add_arguments(parser)


def parse_vars(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        # In the C locale Python hands non-ASCII arguments over as surrogate escapes, which no file or database
        # can hold: read them as the UTF-8 the terminal sent (anything else becomes U+FFFD).
        item = os.fsencode(item).decode("utf-8", "replace")
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--var {item!r}: expected NAME=VALUE")
        try:
            out[name.strip()] = yaml.safe_load(value) if value else ""
        except yaml.YAMLError:
            out[name.strip()] = value
    return out


class Printer:
    """Prints events as lines a person can follow.

    On a terminal a for_each shows one progress bar, redrawn in place, instead of a line per step of every round;
    into a pipe or file every step gets its line (a log to read later). Step ids, names and messages are printed
    with their control characters escaped (``clean``). When the reader of the output goes away, printing stops and
    the run goes on to its end.
    """

    def __init__(self, stream: TextIO, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()
        self.lock = threading.Lock()
        self._progress_shown = False
        self._loops: set[str] = set()  # for_each steps running now (their rounds' steps are not listed on a tty)
        self.closed = False  # the reader went away

    def __call__(self, event: ev.Event) -> None:
        with self.lock:
            if self.closed or self._inside_loop(event):
                return
            line = self._line(event)
            if line is None:
                return
            try:
                self._write(event, line)
            except BrokenPipeError:
                self.closed = True

    def _write(self, event: ev.Event, line: str) -> None:
        if self._progress_shown and event.kind != ev.PROGRESS:
            self.stream.write("\n")
            self._progress_shown = False
        if event.kind == ev.PROGRESS:
            if self.tty:
                self.stream.write("\r" + line)
                self._progress_shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _inside_loop(self, e: ev.Event) -> bool:
        """Whether ``e`` is a started/finished line of a step in a loop's round, left out on a terminal."""
        if e.kind == ev.STEP_STARTED and e.data.get("block") == "for_each" and e.step:
            self._loops.add(e.step)
            return False
        if e.kind in (ev.STEP_FINISHED, ev.STEP_FAILED) and e.step in self._loops:
            self._loops.discard(e.step)
            return False
        return self.tty and bool(self._loops) and e.kind in (ev.STEP_STARTED, ev.STEP_FINISHED)

    def _line(self, e: ev.Event) -> str | None:
        line = self._text(e)
        return None if line is None else clean(line)  # user text (ids, names, messages) must not steer the terminal

    def _text(self, e: ev.Event) -> str | None:
        d = e.data
        if self.quiet and not (e.kind == ev.STEP_FAILED or (e.kind == ev.LOG and d.get("level") == "error")):
            return None
        if e.kind == ev.RUN_STARTED:
            return f"▶ {e.workflow}  (run {e.run_id})"
        if e.kind == ev.STEP_STARTED:
            again = f", attempt {d['attempt']}" if d.get("attempt", 1) > 1 else ""
            return f"  → {e.step} [{d['block']}{again}]"
        if e.kind == ev.STEP_FINISHED:
            return f"  ✓ {e.step}  " + ("(pinned)" if d.get("pinned") else _ms(d["duration"]))
        if e.kind == ev.STEP_FAILED:
            handled = "  (handled: on_error)" if d.get("handled") else ""
            return f"  ✗ {e.step}: {d['error']}{handled}"
        if e.kind == ev.STEP_RETRYING:
            return f"  ↻ {e.step}: {d['error']} — retrying in {d['delay']:g}s"
        if e.kind == ev.LOG and e.step and d.get("message", "").startswith("pinned: "):
            return None  # the step's ✓ line says it
        if e.kind == ev.LOG:
            where = f"{e.step}: " if e.step else ""
            level = "" if d.get("level") == "info" else f"{d.get('level')}: "
            return f"    {where}{level}{d['message']}"
        if e.kind == ev.PROGRESS and d.get("total"):
            done, total = d["done"], d["total"]
            filled = int(30 * done / total)
            return f"    {e.step} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}"
        if e.kind == ev.RUN_FINISHED:
            status = d["status"]
            mark = {"succeeded": "✔", "failed": "✘", "cancelled": "■"}.get(status, "•")
            return f"{mark} {status} in {_ms(d['duration'])}" + (f": {d['message']}" if d.get("message") else "")
        return None


def _open_history() -> Any:
    """The user's run history; what keeps it from being written is said once, on stderr: the run happens anyway."""
    import logging

    from engine.cli.output import CleanFormatter
    from engine.runtime.history import History, default_history_path

    # the history logs its faults (full disk, read-only folder, rows not recorded at exit) once each; this command
    # has no log, so they go to stderr as warnings, and nowhere else (Python's last-resort handler printed them too)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(CleanFormatter("flowdeck run: warning: %(message)s"))
    logging.getLogger("engine.runtime").addHandler(handler)
    return History(default_history_path())


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def main(args: argparse.Namespace) -> int:
    from engine.io import read_file
    from engine.runtime import Engine
    from engine.runtime.executor import new_run_id
    from engine.runtime.state import StateDB

    try:
        variables = parse_vars(args.var)
    except ValueError as exc:
        print(clean(f"flowdeck run: {exc}"), file=sys.stderr)
        return 2
    wf, problems = read_file(args.file)
    errors = [p for p in problems if p.is_error]
    if wf is None or errors:
        for p in errors or problems:
            print(clean(p), file=sys.stderr)
        return 1
    history = None if args.no_history else _open_history()
    out = sys.stderr if args.json else sys.stdout
    debug, trigger = None, None
    if debugging.wanted(args):
        try:
            debug, used = debugging.options(args, wf, history)
        except debugging.DebugOptionError as exc:
            print(clean(f"flowdeck run: {exc}"), file=sys.stderr)
            return 2
        trigger = {"kind": "debug", "from": debug.start, "alone": debug.only, "using_run": used}
        if debug.start and not args.quiet:
            print(clean(f"  outputs before '{debug.start}' from run {used}" if used else
                        f"  no past run: steps before '{debug.start}' have no outputs"), file=out)  # fmt: skip
    engine = Engine(workers=1, history=history, state=StateDB.default())
    engine.subscribe(Printer(out, args.quiet))
    run_id = new_run_id()
    pauses = debugging.Pauses(run_id) if debug is not None and debug.pauses else None
    if pauses is not None:
        engine.subscribe(pauses)
    try:
        handle = engine.submit(wf, variables=variables, source=debugging.source_of(args), run_id=run_id,
                               trigger=trigger, debug=debug)  # fmt: skip
    except ValueError as exc:  # a debug option names no step
        engine.shutdown(grace=0)
        print(clean(f"flowdeck run: {exc}"), file=sys.stderr)
        return 2
    try:
        if pauses is not None:
            debugging.drive(handle, pauses, out)
        result = handle.wait()
    except KeyboardInterrupt:
        handle.cancel()
        result = handle.wait()
    if history is not None:
        engine.bus.flush()  # the run's last events reach the history first: the prune must see this run finished
        history.flush()
        try:
            history.prune()  # a one-shot process applies retention itself (long-running ones do it every 10 min)
        except Exception as exc:
            print(f"flowdeck run: warning: could not prune the run history: {exc}", file=sys.stderr)
    engine.shutdown(grace=0)
    record = _record(handle, result)
    if args.json:
        print(json.dumps(record, indent=2, default=str))
    error = record["error"]
    if result.status == "failed" and error:
        print(clean(f"error in step '{error.get('step')}': {error['message']}"), file=sys.stderr)
    return 0 if result.ok else 1


def _record(handle: RunHandle, result: RunResult) -> dict[str, Any]:
    """The run as --json prints it, secrets masked like the events and the history (the result holds them raw)."""
    record = {
        "run_id": result.run_id,
        "workflow": result.workflow,
        "status": result.status,
        "error": result.error,
        "outputs": result.outputs,
        "steps": result.steps,
        "started": result.started,
        "finished": result.finished,
    }
    return handle.redacted(record)
