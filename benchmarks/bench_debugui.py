"""How quickly the editor shows a pause and moves on (gui/editor/debugging.py), with the app's engine (process
isolation): from Run (F5) to the Variables pane filled at a breakpoint, from Continue to the run's end as the editor
sees it, and filling the pane with a large paused snapshot. Run on demand (offscreen Qt):

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_debugui.py [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine

FLOW = """flowdeck: 1
name: Bench pause
steps:
  first: {do: log, with: {message: a}, next: held}
  held: {do: log, with: {message: b}}
"""
BIG = {"vars": {f"v{i}": i for i in range(200)},
       "steps": {f"s{i}": {"json": {"items": list(range(400)), "total": i}} for i in range(50)}}  # fmt: skip


def _wait(app: Any, until: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the editor did not get there")
        app.processEvents()
        time.sleep(0.001)


def main(rounds: int) -> None:
    from PySide6.QtWidgets import QApplication

    from engine.runtime import Engine
    from engine.runtime.history import History
    from gui.bridge import EngineBridge
    from gui.editor import EditorPage

    print(machine(), f"load average {os.getloadavg()[0]:.2f}")
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(FLOW, encoding="utf-8")
        engine = Engine(workers=1, history=History(Path(folder) / "history.db"), isolation="process")
        page = EditorPage(EngineBridge(engine))
        page.open_file(path)
        page.toggle_breakpoint("held")
        to_pause, to_end = [], []
        try:
            for _ in range(rounds + 1):  # the first starts the worker process: not counted
                start = time.perf_counter()
                page.run()
                _wait(app, lambda: page.paused is not None)
                to_pause.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.debug_command("continue")
                _wait(app, lambda: page.run_id is None)
                to_end.append(time.perf_counter() - start)
        finally:
            engine.shutdown(2)
        fill = []
        for _ in range(rounds):
            start = time.perf_counter()
            page.variables.show_paused("held", BIG)
            fill.append(time.perf_counter() - start)
    for name, values in (("F5 to the pane filled", to_pause[1:]), ("Continue to the run's end", to_end[1:]),
                         ("pane fill, 50 steps x 400 items + 200 vars", fill)):  # fmt: skip
        ms = [v * 1000 for v in values]
        print(f"{name}: median {statistics.median(ms):.1f} ms (range {min(ms):.1f}-{max(ms):.1f}, {len(ms)} runs)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
