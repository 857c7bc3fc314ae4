"""Load + validate a generated 1,000-step workflow (target: under 100 ms).

Run: .venv/bin/python benchmarks/bench_load.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import generated_workflow, machine, median_time

from engine.io import dumps, read_text
from engine.io.expressions import _parse, parse_template
from engine.io.yamlload import parse_yaml
from engine.registry import default_registry


def main() -> None:
    default_registry()
    text = generated_workflow(1000)
    wf, problems = read_text(text, "gen.yaml")
    assert wf is not None and not [p for p in problems if p.is_error], problems[:3]
    parse, _ = median_time(lambda: parse_yaml(text))
    full, runs = median_time(lambda: read_text(text, "gen.yaml"))
    cold, _ = median_time(lambda: (parse_template.cache_clear(), _parse.cache_clear(), read_text(text, "gen.yaml")))
    save, _ = median_time(lambda: dumps(wf))
    print(f"machine: {machine()}")
    print(f"1,000-step workflow: {len(text) / 1024:.0f} KB")
    print(f"YAML parse with positions: {parse * 1000:.1f} ms (median of 7)")
    print(f"load + validate:           {full * 1000:.1f} ms (median of 7; runs {[round(t * 1000) for t in runs]})")
    print(f"load + validate, templates not yet parsed: {cold * 1000:.1f} ms (median of 7)")
    print(f"save (dumps):              {save * 1000:.1f} ms (median of 7)")


if __name__ == "__main__":
    main()
