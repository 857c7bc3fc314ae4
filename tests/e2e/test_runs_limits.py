"""Hostile workflows end with the limit they hit named, never by hanging or eating the computer's memory.

Each runs the real ``flowdeck run`` in a child process with an address-space limit (RLIMIT_AS), as a small machine
or a container would have; the bound on each test is the workflow's own timeout, not a stopwatch.
"""

from __future__ import annotations

import resource
import signal
import subprocess

import pytest

from tests.support.product import Product, wait_until

GB = 1024**3


def run_limited(product: Product, path: str, memory: int = 2 * GB, timeout: float = 90) -> subprocess.CompletedProcess:
    """``flowdeck run PATH`` in a process that may use at most ``memory`` bytes of address space."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        product.command("run", path),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=product.env,
        cwd=str(product.home),
        preexec_fn=limit,
    )


def one_step(name: str, expression: str, timeout: str = "20s") -> str:
    return f"""flowdeck: 1
name: {name}
steps:
  x:
    do: set
    timeout: {timeout}
    with: {{values: {{v: "{expression}"}}}}
"""


def failed_with(product: Product, done: subprocess.CompletedProcess, text: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert text in done.stderr, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    runs = product.history()
    assert [r["status"] for r in runs] == ["failed"]
    assert text in runs[0]["error"]["message"]


@pytest.mark.promise("runtime.md", "Limits")
def test_a_nested_loop_in_an_expression_obeys_the_step_timeout(product: Product) -> None:
    """A step's timeout applies while its parameters are rendered: a template that loops for hours ends at it."""
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    path = product.write("loop.yaml", one_step("Loop", loops, timeout="2s"))
    done = run_limited(product, str(path))
    failed_with(product, done, "steps.x.with.values.v: step 'x' did not finish within 2s")


@pytest.mark.promise("runtime.md", "Limits")
@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("{{ 'a' * 10**9 }}", "steps.x.with.values.v: the expression's result is larger than 10 MB"),
        ("{{ 10 ** (10 ** 8) }}", "steps.x.with.values.v: the expression's result is a number of more than"),
        ("{{ lipsum(1000000) }}", "steps.x.with.values.v: lipsum() is limited to 100 paragraphs"),
        ("{{ ('a' * 9000000) ~ ('b' * 9000000) }}", "the expression's result is larger than 10 MB"),
        ("{% for i in range(2000) %}{{ 'x' * 9000 }}{% endfor %}", "the expression's result is larger than 10 MB"),
        ("{{ 'x'.center(10**9) }}", "the expression's result is larger than 10 MB"),
    ],
    ids=["repeat-text", "power", "lipsum", "join", "loop-output", "center"],
)
def test_a_value_over_the_size_limit_is_refused_before_it_is_built(
    product: Product, expression: str, message: str
) -> None:
    """One value of an expression is at most 10 MB of text (or 1,000,000 items, or a number of 1,000,000 bits); the
    step fails naming the parameter and the limit, before the value is made (so it fits a small memory limit)."""
    path = product.write("big.yaml", one_step("Big", expression))
    done = run_limited(product, str(path), memory=1 * GB)
    failed_with(product, done, message)
    assert "(the limit for one" in done.stderr or "limited to" in done.stderr


@pytest.mark.promise("runtime.md", "Limits")
def test_in_the_daemon_a_looping_template_ends_at_the_step_timeout(product: Product) -> None:
    """In ``flowdeck daemon`` (each run in a worker process) the same step timeout ends the run, recorded failed,
    and the next run of the workflow goes on."""
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    product.write(
        "spin.yaml",
        f"""flowdeck: 1
name: Spin
triggers:
  - startup: {{}}
steps:
  x: {{do: set, timeout: 2s, with: {{values: {{v: "{loops}"}}}}}}
""",
    )
    with product.daemon() as daemon:
        ended = wait_until(lambda: product.history_rows("SELECT * FROM runs WHERE status != 'running'"), 60)
        assert ended, daemon.log
        assert daemon.proc.poll() is None  # the service is still up
    (run,) = ended
    assert run["status"] == "failed"
    assert "steps.x.with.values.v: step 'x' did not finish within 2s" in run["error"]


@pytest.mark.promise("runtime.md", "Limits")
def test_ctrl_c_stops_flowdeck_run_while_a_template_renders(product: Product) -> None:
    """Ctrl-C (SIGINT) stops ``flowdeck run`` even in the middle of a long expression; the run is cancelled."""
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    path = product.write("spin.yaml", one_step("Spin", loops, timeout="10m"))
    proc = subprocess.Popen(
        product.command("run", str(path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=product.env,
        cwd=str(product.home),
    )
    try:
        assert proc.stdout is not None
        assert "▶ Spin" in proc.stdout.readline()
        assert wait_until(lambda: product.history_rows("SELECT run_id FROM runs WHERE status = 'running'"), 20)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 1, out + err
    assert "■ cancelled" in out
    assert [r["status"] for r in product.history()] == ["cancelled"]


@pytest.mark.promise("runtime.md", "Limits")
def test_policy_timeout_ends_the_whole_run(product: Product) -> None:
    """``policy: {timeout: 1s}`` bounds the whole run: waits, expressions and steps without a timeout of their own
    end there, and the run fails with an error of kind timeout naming the limit and the step it stopped at."""
    path = product.write(
        "slow.yaml",
        """flowdeck: 1
name: Slow
policy: {timeout: 1s}
steps:
  first: {do: log, with: {message: starting}, next: pause}
  pause: {do: wait, with: {duration: 10m}}
""",
    )
    done = run_limited(product, str(path), timeout=60)
    failed_with(product, done, "the run did not finish within 1s (policy.timeout) and was stopped at step 'pause'")
    assert product.history()[0]["error"]["kind"] == "timeout"


@pytest.mark.promise("runtime.md", "Limits")
def test_a_hundred_million_items_are_refused_naming_max_items(product: Product) -> None:
    """A for_each over more than ``max_items`` items (default 1,000,000) fails before it starts, naming the limit."""
    path = product.write(
        "many.yaml",
        """flowdeck: 1
name: Many
steps:
  each: {do: for_each, with: {items: 100000000}, next: {body: one}}
  one: {do: log, with: {message: "{{ loop.item }}"}}
""",
    )
    done = run_limited(product, str(path), memory=1 * GB)
    failed_with(
        product, done, "steps.each.with.items: 100,000,000 items are more than the limit of 1,000,000 (max_items)"
    )


@pytest.mark.promise("runtime.md", "Limits")
def test_out_of_memory_is_said_in_words(product: Product) -> None:
    """An error is never an empty message: running out of memory says "out of memory while …" and names the step."""
    path = product.write(
        "hog.yaml",
        """flowdeck: 1
name: Hog
steps:
  each: {do: for_each, with: {items: 100000000, max_items: 1000000000}, next: {body: one}}
  one: {do: log, with: {message: "{{ loop.item }}"}}
""",
    )
    done = run_limited(product, str(path), memory=400 * 1024**2)
    failed_with(product, done, "out of memory while running step 'each'")


@pytest.mark.promise("runtime.md", "Limits")
def test_ten_thousand_parallel_steps_run_64_at_a_time(product: Product) -> None:
    """At most 64 parallel branches of a run go at once; the others wait for a place, so 9,999 branches (with the
    first step, the most steps a workflow may have) all run in a memory limit where that many threads could not start
    (it used to hang after ≈ 240)."""
    targets = ", ".join(f"b{i}" for i in range(9_999))
    branches = "\n".join(f"  b{i}: {{do: wait, with: {{duration: 0s}}}}" for i in range(9_999))
    path = product.write(
        "wide.yaml",
        f"flowdeck: 1\nname: Wide\npolicy: {{timeout: 60s}}\nsteps:\n  start: {{do: log, with: {{message: go}}, "
        f"next: [{targets}]}}\n{branches}\n",
    )
    done = run_limited(product, str(path), memory=2 * GB, timeout=120)  # ≈ 130 threads fit, not 10,000
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    (run,) = product.history_rows()
    assert run["status"] == "succeeded"
    (count,) = product.history_rows("SELECT COUNT(*) AS n FROM steps WHERE run_id = ?", (run["run_id"],))
    assert count["n"] == 10_000


@pytest.mark.promise("runtime.md", "Limits")
def test_a_branch_thread_the_system_refuses_fails_the_run_clearly(product: Product) -> None:
    """When the system cannot start even 64 threads (here: a 700 MB memory limit), the run fails saying that a
    parallel branch could not be started, and ends; it does not hang."""
    targets = ", ".join(f"b{i}" for i in range(2_000))
    branches = "\n".join(f"  b{i}: {{do: wait, with: {{duration: 50ms}}}}" for i in range(2_000))
    path = product.write(
        "wide.yaml",
        f"flowdeck: 1\nname: Wide\nsteps:\n  start: {{do: log, with: {{message: go}}, next: [{targets}]}}\n"
        f"{branches}\n",
    )
    done = run_limited(product, str(path), memory=700 * 1024**2, timeout=120)
    failed_with(product, done, "a parallel branch could not be started: the system refused a new thread")


def chain(product: Product, levels: int, calls: int) -> None:
    """level0.yaml … level{levels}.yaml, each calling the next ``calls`` times in parallel (copies of one flow)."""
    for level in range(levels):
        targets = ", ".join(f"c{n}" for n in range(calls))
        steps = "".join(f"  c{n}: {{do: workflow.run, with: {{path: level{level + 1}.yaml}}}}\n" for n in range(calls))
        product.write(
            f"level{level}.yaml",
            f"flowdeck: 1\nname: Level {level}\nsteps:\n"
            f"  fork: {{do: log, with: {{message: 'level {level}'}}, next: [{targets}]}}\n{steps}",
        )
    product.write(f"level{levels}.yaml", "flowdeck: 1\nname: Bottom\nsteps:\n  end: {do: log, with: {message: x}}\n")


@pytest.mark.promise("runtime.md", "Limits")
def test_workflow_run_nesting_stops_at_32_with_the_chain(product: Product) -> None:
    """workflow.run inside workflow.run goes at most 32 deep; the 33rd fails naming the limit and the chain of
    files."""
    chain(product, 40, 1)
    done = run_limited(product, str(product.workspace / "level0.yaml"), timeout=120)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr
    assert "workflow.run is nested more than 32 deep (the limit), so level32.yaml was not started" in done.stderr
    assert "level0.yaml → level1.yaml → level2.yaml" in done.stderr
    assert "level30.yaml → level31.yaml → level32.yaml" in done.stderr
    assert {r["status"] for r in product.history()} == {"failed"}


@pytest.mark.promise("runtime.md", "Limits")
def test_a_workflow_calling_copies_of_itself_in_parallel_ends_at_a_named_limit(product: Product) -> None:
    """A workflow that calls a copy of itself twice in parallel, again and again, does not grow without limit (nor
    run out of threads in a memory limit): the first path to reach 32 levels fails at the nesting limit, which halts
    the whole tree of runs."""
    chain(product, 40, 2)
    done = run_limited(product, str(product.workspace / "level0.yaml"), timeout=120)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "nested more than 32 deep (the limit), so level32.yaml was not started" in last, last
    assert "Traceback" not in done.stderr


@pytest.mark.promise("runtime.md", "Limits")
def test_a_bad_policy_timeout_is_one_line_naming_its_place(product: Product) -> None:
    """``policy.timeout`` is a duration; anything else is reported by ``flowdeck validate`` (and ``run``) as one
    line naming the file, line:col and the key."""
    path = product.write(
        "bad.yaml", "flowdeck: 1\nname: Bad\npolicy: {timeout: soon}\nsteps:\n  a: {do: log, with: {message: hi}}\n"
    )
    for command in ("validate", "run"):
        done = product.run(command, str(path))
        assert done.returncode == 1
        assert done.stderr.strip() == f"{path}:3:10: policy.timeout: expected a duration like 30s, 5m or 1h, got 'soon'"
