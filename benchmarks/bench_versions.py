"""Local version history: what a save and a run pay for keeping versions (see README.md, "Versions").

    .venv/bin/python benchmarks/bench_versions.py

1. ``VersionStore.record`` of a new version of the 1,000-step generated file (hash, structural summary against the
   previous version, compressed insert, retention, commit) - what a save in the app adds;
2. ``VersionStore.for_run`` of an unchanged file (a stat, no read) and of a changed one - what a run's start adds;
3. ``compare`` + ``side_by_side`` of two versions of that file - what the dialog does on a click.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import generated_workflow, machine, median_time
from engine.versions import VersionStore, compare, side_by_side


def main() -> None:
    print(machine())
    folder = Path(tempfile.mkdtemp(prefix="flowdeck-bench-versions-"))
    store = VersionStore(folder / "versions.sqlite3")
    path = folder / "big.yaml"
    text = generated_workflow(1000)
    path.write_text(text)
    print(f"file: {len(text) / 1000:.0f} KB")
    n = [0]

    def record() -> None:
        n[0] += 1
        store.record(path, text.replace("world", f"world {n[0]}"), "app")

    med, _ = median_time(record, 9)
    print(f"record a new version (1,000 steps): {med * 1000:.1f} ms")
    store.for_run(path)
    med, _ = median_time(lambda: store.for_run(path), 200)
    print(f"for_run, file unchanged: {med * 1e6:.1f} µs")

    def changed() -> None:
        n[0] += 1
        path.write_text(text.replace("world", f"run {n[0]}"))
        t0 = time.perf_counter()
        store.for_run(path)
        changed.took.append(time.perf_counter() - t0)  # type: ignore[attr-defined]

    changed.took = []  # type: ignore[attr-defined]
    for _ in range(7):
        changed()
    took = sorted(changed.took)[len(changed.took) // 2]  # type: ignore[attr-defined]
    print(f"for_run, file changed (read, record): {took * 1000:.1f} ms")
    old, new = text, text.replace("step 5 ", "step five ").replace("  s999:", "  s999:\n    title: last")
    med, _ = median_time(lambda: (compare(old, new), side_by_side(old, new)), 5)
    print(f"compare + side_by_side (1,000 steps): {med * 1000:.1f} ms")
    print(f"versions kept: {len(store.versions(path))}, database {_size(store.path) / 1000:.0f} KB")


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


if __name__ == "__main__":
    main()
