"""A document that is let go is freed at once, and never by the garbage collector in an order Qt cannot take.

Undo commands are owned by the C++ undo stack. When they held the document strongly, a closed document lived on in a
reference cycle until Python's collector broke it: it freed some commands' wrappers first, then the document, whose
undo stack deleted those commands a second time (a segfault in QUndoStack::clear, seen in CI).
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

from engine.io import read_file
from gui.document import WorkflowDocument

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "resources" / "examples" / "daily-sales-report.yaml"


def _edited() -> WorkflowDocument:
    wf, _ = read_file(EXAMPLE)
    doc = WorkflowDocument(wf)
    first, second = list(doc.workflow.steps)[:2]
    doc.set_param(first, "message", "one")
    doc.set_param(first, "message", "two")  # merged into the command before
    doc.rename_step(second, "renamed")
    doc.paste_yaml(doc.copy_yaml([first, "renamed"]))
    doc.undo_stack.undo()
    doc.set_workflow_field("vars", {"n": 1})
    return doc


def test_a_document_let_go_is_freed_without_the_collector(qapp: object) -> None:
    gc.disable()
    try:
        doc = _edited()
        gone = weakref.ref(doc)
        del doc
        assert gone() is None, "the document is kept alive by a reference cycle"
    finally:
        gc.enable()


SCRIPT = """
import gc, random, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
sys.path.insert(0, sys.argv[1])
from tests.gui.document.test_random_edits import EXAMPLE, WorkflowDocument, _apply, read_file
random.seed(1)
ops = ["add", "remove", "connect", "rename", "param", "paste", "vars"]
for _ in range(150):
    doc = WorkflowDocument(read_file(EXAMPLE)[0])
    for _ in range(random.randint(1, 8)):
        _apply(doc, random.choice(ops), random.randint(0, 50), random.randint(0, 50), "next")
    if random.random() < 0.5:
        while doc.undo_stack.canUndo():
            doc.undo_stack.undo()
    del doc
    gc.collect()
print("freed them all")
"""


def test_documents_let_go_while_the_collector_runs_do_not_crash() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", SCRIPT, str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "freed them all"
