"""YAML tab benchmark (on demand, not in the test suite): `python benchmarks/bench_yaml.py [--repeat N]`.

One edit typed into the YAML tab of a generated 1,000-block workflow, with the canvas showing it: the time
``YamlView.apply_now`` takes from the pause in typing to the model (and scene) changed, and the time the text takes
to be rewritten after a canvas edit. Both run on the GUI thread, once per pause in typing, not per key.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import generated_workflow, machine, median_time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from engine.io import read_text
    from gui.editor import EditorPage

    app = QApplication.instance() or QApplication([])
    page = EditorPage()
    wf, _ = read_text(generated_workflow(1000))
    page.set_document(page.new_document(wf))
    page.resize(1400, 900)
    page.show()
    page.tabs.setCurrentWidget(page.yaml_view)
    app.processEvents()
    view = page.yaml_view
    base = view.toPlainText()
    count = iter(range(10**6))

    def typed() -> None:
        view.text.setPlainText(base.replace("\nname: ", f"\nname: v{next(count)} ", 1))
        assert view.apply_now()

    median, _ = median_time(typed, args.repeat)
    print(machine())
    print(f"apply one YAML edit, 1,000 blocks (read+compare+command+scene): median {median * 1000:.0f} ms")
    first = next(iter(page.document.workflow.steps))

    def rewrite() -> None:
        page.document.set_param(first, "message", f"m{next(count)}")
        view.refresh()

    median, _ = median_time(rewrite, args.repeat)
    print(f"rewrite the text after a canvas edit, 1,000 blocks: median {median * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
