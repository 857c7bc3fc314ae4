"""How the runtime carries out each block: plain blocks call their run function; control blocks are here."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import Cancelled, StepError
from engine.model.durations import parse_duration
from engine.runtime import bounds
from engine.runtime.scope import Scope
from engine.runtime.stepcall import call_block
from engine.runtime.templates import render

if TYPE_CHECKING:
    from engine.runtime.executor import Run
    from engine.runtime.plan import StepPlan

Outcome = tuple[str, Any]  # (port taken, output)


def run_block(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: list[str] | None) -> Outcome:
    handler = CONTROL.get(step.block.type)
    if handler is not None:
        return handler(run, step, scope, inputs, joined)
    assert step.block.run is not None
    params = {**step.defaults, **inputs}
    output = call_block(run, step, step.block.run, params, scope)
    if step.block.type == "set" and isinstance(output, dict):
        run.vars.update(output.get("values", {}))
    own = step.block.ports.names != ("next",) or step.block.ports.dynamic  # screen.find, ask.message
    if own and isinstance(output, dict) and isinstance(output.get("port"), str):
        port = output["port"]  # the block names the port taken; a dynamic one's port without a wire goes on to next
        return (port if port in step.ports or not step.block.ports.dynamic else "next"), output
    return "next", output


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "no", "off", "0", "none")
    return bool(value)


def _if(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: Any) -> Outcome:
    result = _truthy(inputs.get("condition"))
    return ("then" if result else "else"), {"result": result}


def _switch(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: Any) -> Outcome:
    value = inputs.get("value")
    port = str(value).lower() if isinstance(value, bool) else str(value)
    if port not in step.ports or port == "default":
        port = "default"
    return port, {"value": value, "port": port}


def _items(value: Any, step_id: str, limit: int) -> Any:
    """The items to loop over (a whole number n is range(n), made lazily), refused when there are over ``limit``."""
    if isinstance(value, list | tuple):
        items: Any = value
    elif isinstance(value, dict):
        items = [{"key": k, "value": v} for k, v in value.items()] if len(value) <= limit else value
    elif isinstance(value, str):
        items = value.splitlines()
    elif isinstance(value, int) and not isinstance(value, bool):
        items = range(max(0, value))
    else:
        shown = repr(value) if len(repr(value)) <= 200 else repr(value)[:200] + "…"
        raise StepError(f"steps.{step_id}.with.items: expected a list to loop over, got {shown}", kind="value")
    if len(items) > limit:
        raise bounds.LimitError(
            f"steps.{step_id}.with.items: {len(items):,} items are more than the limit of {limit:,} "
            "(max_items); raise max_items if that many are meant"
        )
    return items


def _for_each(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: Any) -> Outcome:
    limit = int(inputs.get("max_items") or bounds.MAX_VALUE_ITEMS)
    items = _items(inputs.get("items"), step.id, limit)
    body = step.ports.get("body", ())
    concurrency = max(1, int(inputs.get("concurrency") or 1))
    results: list[Any] = [None] * len(items)
    if body:
        _loop(run, step, scope, items, body[0], results, concurrency)
    return "done", {"count": len(items), "results": results}


def _loop(
    run: Run,
    step: StepPlan,
    parent: Scope,
    items: Any,
    start: str,
    results: list[Any],
    concurrency: int,
) -> None:
    total = len(items)
    counter = iter(range(total))
    lock = threading.Lock()
    progress = _Progress(run, step.id, total)
    failure: list[BaseException] = []

    def worker() -> None:
        while not failure and not run.halted:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            loop = {
                "item": items[index],
                "index": index,
                "first": index == 0,
                "last": index == total - 1,
                "length": total,
                "parent": parent.loop,
            }
            try:
                results[index] = Scope(run, loop, parent.error).walk(start)
            except BaseException as exc:
                failure.append(exc)
                return
            progress.tick()

    if concurrency == 1 or total <= 1:
        worker()
    else:
        _in_parallel(run, worker, min(concurrency, total))
    progress.finish()
    if failure:
        raise failure[0]
    if run.halted:
        raise Cancelled("the run was halted")


def _in_parallel(run: Run, worker: Callable[[], None], count: int) -> None:
    """``count`` copies of ``worker`` on the run's branch threads (engine.runtime.branches); returns when all end."""
    left = [count]
    cond = threading.Condition()

    def one() -> None:
        try:
            worker()
        finally:
            with cond:
                left[0] -= 1
                cond.notify_all()

    for _ in range(count):
        run.spawn(one, group=cond)
    with run.branches.waiting(cond), cond:
        while left[0]:
            cond.wait()


class _Progress:
    """At most ten progress events a second, so a 100,000-item loop does not flood listeners."""

    def __init__(self, run: Run, step_id: str, total: int) -> None:
        self.run, self.step_id, self.total = run, step_id, total
        self.done = 0
        self.last = 0.0
        self.lock = threading.Lock()

    def tick(self) -> None:
        with self.lock:
            self.done += 1
            now = time.monotonic()
            if now - self.last < 0.1:
                return
            self.last = now
        self.run.progress(self.step_id, self.done, self.total)

    def finish(self) -> None:
        self.run.progress(self.step_id, self.done, self.total)


def _repeat(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: Any) -> Outcome:
    limit = int(inputs.get("max") or 0)
    condition, until = step.params.get("while", "true"), step.params.get("until")
    body = step.ports.get("body", ())
    rounds = 0
    last = scope.last_output
    while rounds < limit and not run.halted:
        loop = {"index": rounds, "first": rounds == 0, "parent": scope.loop, "last_output": last}
        if not _check(run, scope, loop, condition, f"steps.{step.id}.with.while"):
            break
        if body:
            last = Scope(run, loop, scope.error).walk(body[0])
        rounds += 1
        if until not in (None, ""):  # checked after the round: loop.index is the round that just ran
            loop = {**loop, "last_output": last}
            if _check(run, scope, loop, until, f"steps.{step.id}.with.until"):
                break
    if run.halted:
        raise Cancelled("the run was halted")
    return "done", {"count": rounds}


def _check(run: Run, scope: Scope, loop: dict[str, Any], condition: Any, where: str) -> bool:
    """A loop condition, rendered within the run's time and cancel (the context's LIMITS)."""
    ctx = run.template_context(scope)  # with the run's LIMITS (engine.runtime.bounds)
    ctx["loop"] = loop
    return _truthy(render(condition, ctx, where))


def _join(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: Any) -> Outcome:
    return "next", {"branches": list(joined or [])}


def _wait(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: Any) -> Outcome:
    seconds = _wait_seconds(inputs, step.id)
    if run.cancel_event.wait(seconds):
        raise Cancelled("cancelled while waiting")
    return "next", {"waited": seconds}


def _wait_seconds(inputs: dict[str, Any], step_id: str) -> float:
    duration, until = inputs.get("duration"), inputs.get("until")
    if duration not in (None, ""):
        try:
            return parse_duration(duration)
        except ValueError as exc:
            raise StepError(f"steps.{step_id}.with.duration: {exc}", kind="value") from None
    if until in (None, ""):
        raise StepError(f"steps.{step_id}: give a duration or an until time", kind="value")
    now = datetime.now()
    text = str(until).strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            clock = datetime.strptime(text, "%H:%M").time()
        except ValueError:
            raise StepError(
                f"steps.{step_id}.with.until: expected a time like 17:30 or 2026-12-01 09:00, got {text!r}",
                kind="value",
            ) from None
        when = datetime.combine(now.date(), clock)
        if when <= now:
            when += timedelta(days=1)
    return max(0.0, (when - now).total_seconds())


def _stop(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: Any) -> Outcome:
    from engine.runtime.executor import _Stopped

    run.halt_branches()
    raise _Stopped(str(inputs.get("message") or f"stopped at step '{step.id}'"))


def _fail(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: Any) -> Outcome:
    raise StepError(str(inputs.get("message") or "the workflow failed here"), kind="fail")


def _subflow(run: Run, step: StepPlan, scope: Scope, inputs: dict[str, Any], joined: Any) -> Outcome:
    result = run_workflow_file(run, str(inputs.get("path", "")), dict(inputs.get("inputs") or {}), step.id)
    return "next", {"outputs": result.outputs, "run_id": result.run_id}


def run_workflow_file(run: Run, where: str, variables: dict[str, Any], step_id: str) -> Any:
    """Run the workflow file ``where`` (relative to ``run``'s folder) as a child run; its RunResult if it succeeded."""
    from engine.io.load import load_workflow
    from engine.io.problems import WorkflowError
    from engine.runtime.executor import Run as RunClass
    from engine.runtime.plan import compile_plan

    if "\0" in where:
        raise StepError(f"steps.{step_id}.with.path: the path contains a NUL character (\\0)", kind="value")
    path = Path(where).expanduser()
    if not path.is_absolute():
        path = run.plan.folder / path
    path = path.resolve()
    chain = (*run.stack, str(run.plan.path.resolve()) if run.plan.path else run.plan.name)
    if str(path) in chain:
        names = " → ".join(Path(p).name for p in (*chain, str(path)))
        raise StepError(f"workflow recursion: {names}", kind="recursion")
    if len(chain) >= bounds.MAX_NESTING:
        names = " → ".join(Path(p).name for p in (*chain, str(path)))
        raise bounds.LimitError(
            f"workflow.run is nested more than {bounds.MAX_NESTING} deep (the limit), so {path.name} was not started: "
            f"{names}"
        )
    if not path.is_file():
        raise StepError(f"workflow file not found: {path}", kind="file")
    try:
        plan = compile_plan(load_workflow(path))
    except WorkflowError as exc:
        raise StepError(f"the workflow {path.name} has errors:\n{exc}", kind="workflow") from None
    child = RunClass(
        plan,
        bus=run.bus,
        trigger={"parent_run": run.run_id, "step": step_id},
        variables=variables,
        host=run.host,
        source="workflow",
        stack=chain,
        secret_reader=run.secrets.reader,
        state=_child_state(run, path, plan.name),
        parent=run,  # the child masks this run's secrets and shares its limits (branches, steps, time)
    )
    run.adopt(child)
    try:
        result = child.execute()
    finally:
        run.disown(child)
    if result.status != "succeeded":
        message = (result.error or {}).get("message", result.status)
        raise StepError(_child_failed(path.name, result.status, message), kind="workflow")
    return result


_CHAINED = re.compile(r"the workflow (?P<name>\S+) (?:failed|cancelled)(?: \(in (?P<via>[^)]*)\))?: (?P<rest>.*)", re.S)


def _child_failed(name: str, status: str, message: str) -> str:
    """``the workflow a.yaml failed: <why>``; a failure that came up through more workflows names them once, in
    brackets, so the cause stays near the start of the line (not after 30 "the workflow … failed:")."""
    found = _CHAINED.fullmatch(message)
    if found is None:
        return f"the workflow {name} {status}: {message}"
    via = [found["name"], *(found["via"].split(" → ") if found["via"] and "deep" not in found["via"] else [])]
    if found["via"] and "deep" in found["via"]:  # already shortened: "b.yaml → … → y.yaml, 30 deep"
        first, _, rest = found["via"].partition(" → … → ")
        last, _, depth = rest.partition(", ")
        via = [found["name"], first, last] if depth else via
        count = int(depth.split()[0]) + 1 if depth else len(via)
    else:
        count = len(via)
    shown = " → ".join(via) if count <= 4 else f"{via[0]} → … → {via[-1]}, {count} deep"
    return f"the workflow {name} {status} (in {shown}): {found['rest']}"


def _child_state(run: Run, path: Path, name: str) -> Any:
    """A workflow.run child keeps its own saved values (known by its file, as when it runs on its own)."""
    sibling = getattr(run.state, "sibling", None)
    return sibling(str(path), name) if sibling is not None else None


Handler = Callable[["Run", "StepPlan", Scope, dict[str, Any], Any], Outcome]
CONTROL: dict[str, Handler] = {
    "if": _if,
    "switch": _switch,
    "for_each": _for_each,
    "repeat": _repeat,
    "join": _join,
    "wait": _wait,
    "stop": _stop,
    "fail": _fail,
    "workflow.run": _subflow,
}
