"""The limits of engine.runtime.bounds and branches: expressions obey a deadline and a cancel, sizes are refused
before a value is made, branches share 64 threads without deadlocking, secrets are masked in their encodings."""

from __future__ import annotations

import base64
import threading
import time

import pytest

from engine.errors import Cancelled, StepError
from engine.runtime import Engine, bounds
from engine.runtime.redact import MASK, redact, variants
from engine.runtime.templates import render
from tests.engine.runtime.conftest import load

SPIN = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


def test_a_nested_loop_stops_at_the_rendering_deadline() -> None:
    limits = (time.monotonic() + 0.2, "step 'x' did not finish within 0.2s", None)
    with pytest.raises(StepError, match=r"^t: step 'x' did not finish within 0.2s") as caught:
        render(SPIN, {bounds.LIMITS: limits}, "t")
    assert caught.value.kind == "timeout"


def test_a_nested_loop_stops_when_the_run_is_cancelled() -> None:
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(Cancelled):
        render("{% set ns = namespace(n=0) %}" + SPIN, {bounds.LIMITS: (None, "", cancel)}, "t")


@pytest.mark.parametrize(
    "expression",
    [
        "{{ 'a' * 10**9 }}",
        "{{ 10**9 * 'a' }}",
        "{{ [0] * 10**7 }}",
        "{{ 10 ** (10 ** 8) }}",
        "{{ (2 ** 900000) * (2 ** 900000) }}",
        "{{ ('a' * 6000000) + ('b' * 6000000) }}",
        "{{ '%0999999999d' % 1 }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ 'x'.ljust(10**9) }}",
        "{{ ('a' * 1000) .replace('a', 'bbbbbbbbbbbbbbbbbbbb' * 1000) }}",
        "{{ (['a' * 1000000] * 20) | join }}",
        "{{ 'x' | center(10**9) }}",
        "{{ range(1000000) }}",
        "{{ lipsum(1000000) }}",
    ],
)
def test_oversized_values_are_refused_naming_the_limit(expression: str) -> None:
    with pytest.raises(StepError, match=r"^steps.x.with.v: .*(limit|limited)") as caught:
        render(expression, {}, "steps.x.with.v")
    assert caught.value.kind == "limit"


def test_ordinary_values_pass() -> None:
    assert render("{{ 'ab' * 3 }}", {}) == "ababab"
    assert render("{{ 2 ** 64 }}", {}) == 2**64
    assert render("{{ range(5) | list }}", {}) == [0, 1, 2, 3, 4]
    assert render("{{ [1, 2] + [3] }}", {}) == [1, 2, 3]
    assert render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"a": 1}}) == "a=1;"
    assert render("{{ 'a' ~ 1 ~ 'b' }}", {}) == "a1b"
    assert len(render("{{ range(100000) | list }}", {})) == 100_000
    assert render("{{ '%5d' % 3 }}", {}) == "    3"


def test_parallel_branches_use_at_most_64_threads_and_all_run() -> None:
    targets = ", ".join(f"b{i}" for i in range(300))
    branches = "\n".join(f"  b{i}: {{do: wait, with: {{duration: 10ms}}}}" for i in range(300))
    wf = load(f"flowdeck: 1\nname: Wide\nsteps:\n  start: {{do: log, with: {{message: go}}, next: [{targets}]}}\n"
              f"{branches}\n")  # fmt: skip
    engine = Engine(workers=1)
    try:
        handle = engine.submit(wf)
        result = handle.wait(60)
        assert result.ok, result.error
        assert len(result.steps) == 301
        assert handle.run.branches.peak <= bounds.MAX_BRANCHES  # type: ignore[attr-defined]
    finally:
        engine.shutdown(1)


def test_nested_parallel_loops_do_not_deadlock_when_every_thread_waits() -> None:
    """80 branches, each a for_each of 4 at once whose body forks and joins: more waiting than the 64 threads."""
    targets = ", ".join(f"b{i}" for i in range(80))
    branches = "\n".join(
        f"  b{i}: {{do: for_each, with: {{items: 8, concurrency: 4}}, next: {{body: fork{i % 2}}}}}" for i in range(80)
    )
    wf = load(
        f"""flowdeck: 1
name: Deep
steps:
  start: {{do: log, with: {{message: go}}, next: [{targets}]}}
{branches}
  fork0: {{do: log, with: {{message: a}}, next: [l0, r0]}}
  l0: {{do: wait, with: {{duration: 1ms}}, next: j0}}
  r0: {{do: wait, with: {{duration: 1ms}}, next: j0}}
  j0: {{do: join}}
  fork1: {{do: log, with: {{message: b}}, next: [l1, r1]}}
  l1: {{do: wait, with: {{duration: 1ms}}, next: j1}}
  r1: {{do: wait, with: {{duration: 1ms}}, next: j1}}
  j1: {{do: join}}
"""
    )
    engine = Engine(workers=1)
    try:
        result = engine.submit(wf).wait(60)
        assert result.ok, result.error
        assert all(result.steps[f"b{i}"]["count"] == 8 for i in range(80))
    finally:
        engine.shutdown(1)


def test_a_secret_is_masked_in_its_encodings_also_inside_longer_texts() -> None:
    secret = "hunter2-token"
    masks = variants(secret)
    for prefix in (b"", b"u:", b"us:", b"user:"):
        encoded = base64.b64encode(prefix + secret.encode() + b"!tail").decode()
        assert MASK in redact(encoded, masks), prefix
    assert redact(secret.encode().hex(), masks) == MASK
    assert redact("a%20b", variants("a b")) == "a%20b"  # a secret under 4 characters: only as written
