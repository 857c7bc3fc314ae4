"""Live previews in the inspector over a 1 MB step output: one key press typed into a template field, from the key
to the preview line shown (render with the engine's sandbox, value to one line and tooltip, elided label), under
Qt offscreen; and the pure render alone. The target is one frame (16 ms) per key press.

Run on demand: .venv/bin/python benchmarks/bench_preview.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine
from engine.registry import Kind, Param
from engine.runtime.records import RunRecord, StepRecord

TEMPLATES = {
    "count": "{{ steps.fetch.json.invoices | length }} invoices",
    "one item": "{{ steps.fetch.json.invoices[5000].customer }}",
    "sum over all": "{{ steps.fetch.json.invoices | map(attribute='total') | sum }}",
    "the whole 1 MB value": "{{ steps.fetch.json }}",
    "a typo (did you mean)": "{{ steps.fetch.jsn.invoices }}",
    "too slow (stopped)": "{% for a in steps.fetch.json.invoices %}{% for b in steps.fetch.json.invoices %}"
    "{% endfor %}{% endfor %}",
}


def big_output() -> dict:
    """About 1 MB as JSON: 10,000 invoices."""
    invoices = [
        {"id": i, "customer": f"Customer {i:05d} Ltd", "total": i % 997, "note": "x" * 48} for i in range(10_000)
    ]
    return {"status": 200, "json": {"invoices": invoices}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from engine.io import read_text
    from gui.inspector.fields import FieldRow
    from gui.inspector.preview import Previewer, preview_data, render_preview

    app = QApplication.instance() or QApplication([])
    output = big_output()
    size = len(json.dumps(output))
    wf, _ = read_text("flowdeck: 1\nname: Big\nsteps:\n  fetch: {do: log, with: {message: a}}\n", check=False)
    record = RunRecord("3f2a9c000000", "Big", steps=[StepRecord("fetch", "http.request", "succeeded", output=output)])
    preview_data(wf, record)  # imports
    t0 = time.perf_counter()
    data = preview_data(wf, record)
    prepare = time.perf_counter() - t0
    print(machine(), f"load average {os.getloadavg()[0]:.2f}; step output {size / 1e6:.2f} MB of JSON")
    print(f"preview data prepared once per run shown: {prepare * 1000:.2f} ms")
    previewer = Previewer()
    previewer.set_data(data)
    row = FieldRow(Param("message", Kind.TEXT), "")
    row.set_previewer(previewer)
    row.resize(320, 80)
    row.show()
    line = row.editor.input_widget()
    print(f"{'template':<24} {'render median':>14} {'key press median':>17} {'range (key press)':>20}")
    for name, template in TEMPLATES.items():
        renders = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            preview = render_preview(template, data)
            renders.append(time.perf_counter() - t0)
        keys = []
        for _ in range(args.repeat):
            line.setText(template[:-1])
            line.setCursorPosition(len(template) - 1)
            row.update_preview()  # as if the text so far had been typed: its preview is the one shown
            app.processEvents()
            t0 = time.perf_counter()
            QTest.keyClick(line, template[-1])  # the last character typed: the whole template renders
            keys.append(time.perf_counter() - t0)
            assert row.preview.full == preview.line, (row.preview.full, preview.line)
        QTest.keyClick(line, Qt.Key.Key_End)
        print(
            f"{name:<24} {statistics.median(renders) * 1000:>11.2f} ms {statistics.median(keys) * 1000:>14.2f} ms"
            f" {min(keys) * 1000:>9.2f}–{max(keys) * 1000:.2f} ms   {preview.line[:40]!r}"
        )


if __name__ == "__main__":
    main()
