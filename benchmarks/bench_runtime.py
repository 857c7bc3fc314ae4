"""Runtime benchmarks (on demand, not in the test suite): `python benchmarks/bench_runtime.py [--repeat N]
[--isolation thread|process]` (runs on threads of this process, the default, or each in a worker process).

1. per-step engine overhead of a set-variable step with one template, events and history on (p50/p99 in µs), the
   plan compiled once (as the run executes it); validating + compiling the workflow is measured on its own;
2. for_each over 100,000 items with a trivial body (time, peak RSS);
3. 100 runs of a 10-step workflow submitted at once on a pool of 8 (all finish, total time);
4. runs per second of a one-step workflow with history on;
5. CPU time of the run's own work per step (``Run.execute_step`` of the chain's ``set`` step, no listener) and of
   rendering a text template with a 10-item ``{% for %}`` loop, best of 7 × 20,000 calls: what the expression
   limits add (they look at a thread-local deadline in every call, loop and growing operator), without the noise
   of the history's thread and of a loaded machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("PYTHONPATH"):  # PYTHONPATH names the code to measure (another checkout, for "before")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

from _common import load_average, machine, spread

from engine.io import read_text
from engine.runtime import Engine
from engine.runtime import events as ev
from engine.runtime.history import History


def _wf(text: str):
    wf, problems = read_text(text, "bench.yaml")
    assert wf is not None and not [p for p in problems if p.is_error], problems
    return wf


def _chain(name: str, steps: int) -> str:
    lines = [f"flowdeck: 1\nname: {name}\nvars: {{n: 0}}\nsteps:"]
    for i in range(steps):
        nxt = f", next: s{i + 1}" if i + 1 < steps else ""
        lines.append(f'  s{i}: {{do: set, with: {{values: {{n: "{{{{ vars.n + 1 }}}}"}}}}{nxt}}}')
    return "\n".join(lines) + "\n"


ISOLATION = "thread"  # --isolation process: every run in a worker process, as in the app and the daemon


def _engine(folder: Path, workers: int = 4) -> tuple[Engine, History]:
    history = History(folder / "history.sqlite3", keep_runs=200)
    engine = Engine(workers=workers, history=history, isolation=ISOLATION)
    engine.subscribe(lambda e: None)  # one more listener, as the GUI would be
    return engine, history


def compile_cost(steps: int = 2000) -> float:
    """µs per step to validate and compile a workflow into a plan (paid once per run submitted as a Workflow)."""
    wf = _wf(_chain("Compile", steps))
    engine = Engine()
    engine.plan(wf)
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        engine.plan(wf)
        samples.append((time.perf_counter() - t0) / steps * 1e6)
    return statistics.median(samples)


def per_step(folder: Path) -> tuple[float, float]:
    """Per-step overhead: wall time of a 2,000-step chain / 2,000 (p50 of 5 runs); p99 of step-to-step gaps."""
    engine, _history = _engine(folder)
    wf = engine.plan(_wf(_chain("PerStep", 2000)))
    engine.run(wf)  # warm the template cache
    samples: list[float] = []
    for _ in range(5):
        t0 = time.perf_counter()
        result = engine.run(wf)
        total = time.perf_counter() - t0
        assert result.status == "succeeded", result.error
        samples.append(total / 2000)
    # p99 of individual steps: time each step of one run through the events' timestamps
    stamps: list[float] = []
    off = engine.subscribe(lambda e: stamps.append(e.time) if e.kind == ev.STEP_STARTED else None)
    engine.run(wf)
    engine.bus.flush(30)
    off()
    gaps = sorted(b - a for a, b in itertools.pairwise(stamps))
    engine.shutdown(5)
    p50 = statistics.median(samples) * 1e6
    p99 = gaps[int(len(gaps) * 0.99)] * 1e6 if gaps else float("nan")
    return p50, p99


def for_each(folder: Path, items: int = 100_000) -> float:
    engine, _history = _engine(folder)
    wf = _wf(f"""flowdeck: 1
name: Big loop
steps:
  each: {{do: for_each, with: {{items: "{{{{ range({items}) | list }}}}"}}, next: {{body: body}}}}
  body: {{do: set, with: {{values: {{last: "{{{{ loop.item }}}}"}}}}}}
""")
    t0 = time.perf_counter()
    result = engine.run(wf)
    took = time.perf_counter() - t0
    assert result.status == "succeeded", result.error
    engine.shutdown(30)
    return took


def many_runs(folder: Path) -> tuple[float, int]:
    engine, _history = _engine(folder, workers=8)
    plan = engine.plan(_wf(_chain("Ten", 10)))
    t0 = time.perf_counter()
    handles = [engine.submit(plan) for _ in range(100)]
    done = sum(1 for h in handles if h.wait(60).status == "succeeded")
    took = time.perf_counter() - t0
    engine.shutdown(30)
    return took, done


def runs_per_second(folder: Path, count: int = 2000) -> float:
    engine, history = _engine(folder, workers=4)
    plan = engine.plan(_wf(_chain("One", 1)))
    t0 = time.perf_counter()
    handles = [engine.submit(plan) for _ in range(count)]
    for h in handles:
        h.wait(60)
    engine.bus.flush(60)
    history.flush(60)
    took = time.perf_counter() - t0
    engine.shutdown(30)
    return count / took


def step_cost(calls: int = 20_000) -> tuple[float, float]:
    """(µs of CPU per ``execute_step`` of a ``set`` step with one template, µs per render of a 10-item loop)."""
    from engine.runtime.executor import Run
    from engine.runtime.scope import Scope
    from engine.runtime.templates import render

    plan = Engine().plan(_wf(_chain("Cost", 1)))
    run = Run(plan)
    scope, step = Scope(run), plan.steps["s0"]
    loop, ctx = "{% for x in vars.items %}{{ x }},{% endfor %}", {"vars": {"items": list(range(10))}}
    best_step = best_loop = float("inf")
    for _ in range(7):
        t0 = time.process_time()
        for _ in range(calls):
            run.execute_step(step, scope, None)
        t1 = time.process_time()
        for _ in range(calls):
            render(loop, ctx)
        t2 = time.process_time()
        best_step, best_loop = min(best_step, (t1 - t0) / calls * 1e6), min(best_loop, (t2 - t1) / calls * 1e6)
    return best_step, best_loop


def bare_render(calls: int = 20_000) -> float:
    """The baseline: µs of wall time per render of ``{{ n + 1 }}`` by a bare jinja2 template, median of 7."""
    import jinja2

    template = jinja2.Environment().from_string("{{ n + 1 }}")
    samples = []
    for _ in range(7):
        t0 = time.perf_counter()
        for i in range(calls):
            template.render(n=i)
        samples.append((time.perf_counter() - t0) / calls * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--isolation", choices=("thread", "process"), default="thread")
    parser.add_argument("--only", choices=("step", "loop", "many", "rps", "cpu"), action="append")
    args = parser.parse_args()
    global ISOLATION
    ISOLATION = args.isolation
    only = set(args.only or ("step", "loop", "many", "rps", "cpu"))
    res: dict[str, list[float]] = {}
    lost = 0
    print(machine(), f"isolation {ISOLATION}; {load_average()}")
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for sub in ("a", "b", "c", "d"):
                (folder / sub).mkdir()
            res.setdefault("bare", []).append(bare_render())
            if "step" in only:
                p50, p99 = per_step(folder / "a")
                res.setdefault("p50", []).append(p50)
                res.setdefault("p99", []).append(p99)
                res.setdefault("compile", []).append(compile_cost())
            if "loop" in only:
                res.setdefault("loop", []).append(for_each(folder / "b"))
            if "many" in only:
                took, done = many_runs(folder / "c")
                res.setdefault("many", []).append(took)
                lost += 100 - done
            if "rps" in only:
                res.setdefault("rps", []).append(runs_per_second(folder / "d"))
            if "cpu" in only:
                step_cpu, loop_cpu = step_cost()
                res.setdefault("step_cpu", []).append(step_cpu)
                res.setdefault("loop_cpu", []).append(loop_cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"baseline: a bare jinja2 render of '{{{{ n + 1 }}}}': {spread(res['bare'], '{:.2f}')} µs")
    if "p50" in med:
        ratio = [a / b for a, b in zip(res["p50"], res["bare"], strict=True)]
        print(f"per step (set + one template, events + history): p50 {spread(res['p50'])} µs "
              f"({spread(ratio, '{:.1f}')}x a bare render), p99 {med['p99']:.1f} µs")  # fmt: skip
        print(f"validate + compile a workflow into a plan: {med['compile']:.1f} µs per step")
    if "loop" in med:
        print(f"for_each over 100,000 items: {med['loop']:.2f} s; peak RSS of the process {peak:.0f} MB")
    if "many" in med:
        print(f"100 runs x 10 steps on a pool of 8: {med['many']:.2f} s, lost {lost}")
    if "rps" in med:
        ratio = [1e6 / a / b for a, b in zip(res["rps"], res["bare"], strict=True)]
        print(f"one-step runs per second with history: {spread(res['rps'], '{:.0f}')}/s "
              f"(a run costs {spread(ratio, '{:.0f}')} bare renders)")  # fmt: skip
    if "step_cpu" in med:
        print(f"CPU per execute_step (set + one template, no listener), best of 7: {med['step_cpu']:.2f} µs")
        print(f"CPU per render of a text template with a 10-item for loop, best of 7: {med['loop_cpu']:.2f} µs")
    print("all samples:", {k: [round(x, 2) for x in v] for k, v in res.items()})
    print(load_average())


if __name__ == "__main__":
    main()
