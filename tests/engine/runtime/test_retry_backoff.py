"""RetryPlan.delay: exponential growth, the max_delay cap, and jitter of 50–100 % drawn from a given source."""

from __future__ import annotations

import random

import pytest

from engine.runtime.plan import RetryPlan


def test_delay_grows_by_factor_from_backoff_without_jitter() -> None:
    plan = RetryPlan(attempts=6, backoff=2.0, factor=3.0, max_delay=1000.0, jitter=False)
    assert [plan.delay(a) for a in range(1, 6)] == [2.0, 6.0, 18.0, 54.0, 162.0]


def test_factor_one_keeps_the_delay_constant() -> None:
    plan = RetryPlan(backoff=1.5, factor=1.0, jitter=False)
    assert {plan.delay(a) for a in range(1, 20)} == {1.5}


def test_delay_is_capped_at_max_delay() -> None:
    plan = RetryPlan(backoff=1.0, factor=2.0, max_delay=10.0, jitter=False)
    assert [plan.delay(a) for a in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_a_huge_factor_is_capped_instead_of_overflowing() -> None:
    plan = RetryPlan(attempts=100, backoff=1.0, factor=1e10, max_delay=60.0, jitter=False)
    assert plan.delay(99) == 60.0  # 1e10 ** 98 does not fit in a float
    assert RetryPlan(backoff=0.0, factor=1e10, jitter=False).delay(99) == 0.0


def test_jitter_scales_by_the_sources_uniform_draw() -> None:
    plan = RetryPlan(backoff=4.0, factor=2.0, max_delay=100.0, jitter=True)
    draw = random.Random(7).uniform(0.5, 1.0)
    got = [plan.delay(a, random.Random(7)) for a in (1, 2, 3)]  # a fresh Random(7): the same draw each time
    assert got == pytest.approx([4.0 * draw, 8.0 * draw, 16.0 * draw])


def test_jitter_stays_between_half_and_all_of_the_capped_delay() -> None:
    plan = RetryPlan(backoff=1.0, factor=2.0, max_delay=8.0, jitter=True)
    rng = random.Random(2024)
    for attempt, full in ((1, 1.0), (3, 4.0), (10, 8.0)):  # the last one is capped before the jitter
        draws = [plan.delay(attempt, rng) for _ in range(2000)]
        assert all(0.5 * full <= d <= full for d in draws)
        assert min(draws) < 0.52 * full and max(draws) > 0.98 * full  # the whole range is used, not one end
        assert sum(draws) / len(draws) == pytest.approx(0.75 * full, rel=0.03)
