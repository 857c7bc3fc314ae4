"""Small helpers shared by the benchmark scripts (not part of the test suite)."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def machine() -> str:
    cpus = os.cpu_count()
    return f"{platform.system()} {platform.machine()}, {cpus} cores, Python {platform.python_version()}"


def median_time(fn: Callable[[], object], repeat: int = 7) -> tuple[float, list[float]]:
    """Median wall time of ``fn`` in seconds over ``repeat`` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def generated_workflow(steps: int = 1000, notes: int = 0, groups: int = 0) -> str:
    """A linear workflow of ``steps`` log/set steps with templates, a layout, and a few branches; with ``notes``
    sticky notes (Markdown) and ``groups`` groups of 10 steps each on its canvas."""
    lines = ["flowdeck: 1", f"name: Generated {steps}", "vars:", "  who: world", "steps:"]
    for i in range(steps):
        lines.append(f"  s{i}:")
        if i % 2:
            lines.append("    do: set")
            lines.append(f'    with: {{values: {{n{i}: "{{{{ vars.who }}}} {i}"}}}}')
        else:
            lines.append("    do: log")
            lines.append(f'    with: {{message: "step {i} for {{{{ vars.who }}}}", level: info}}')
        if i + 1 < steps:
            lines.append(f"    next: s{i + 1}")
    lines.append("layout:")
    for i in range(steps):
        lines.append(f"  s{i}: [{(i % 20) * 240}, {(i // 20) * 140}]")
    for n in range(notes):
        x, y = (n % 10) * 480, (n // 10) * 1400 - 100
        lines.append(f'  note {n}: {{at: [{x}, {y}], size: [220, 90], text: "**Note {n}**: why *this* part"}}')
    for g in range(groups):
        members = ", ".join(f"s{g * 50 + k}" for k in range(10))
        lines.append(f"  group Part {g}: {{colour: green, steps: [{members}]}}")
    return "\n".join(lines) + "\n"
