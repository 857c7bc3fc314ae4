"""A registry with one test block declaring a parameter of every kind, and a document/inspector over it."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from engine.io import read_text
from engine.registry import Kind, Output, Param, Registry, default_registry
from engine.registry.blocks import BlockType
from gui.document import WorkflowDocument
from gui.inspector import Inspector

EVERY_KIND = (
    Param("title", Kind.TEXT, required=True, help="Some text."),
    Param("body", Kind.MULTILINE, help="Several lines."),
    Param("ratio", Kind.NUMBER, default=0.5, minimum=0, maximum=1),
    Param("count", Kind.INTEGER, default=3, minimum=1, maximum=10),
    Param("enabled", Kind.BOOL, default=False),
    Param("mode", Kind.CHOICE, default="fast", choices=("fast", "safe")),
    Param("target", Kind.PATH),
    Param("wait", Kind.DURATION, default="30s"),
    Param("password", Kind.SECRET, default=""),
    Param("script", Kind.CODE),
    Param("items", Kind.LIST),
    Param("headers", Kind.MAPPING),
    Param("extra", Kind.ANY),
)


def _registry() -> Registry:
    base = default_registry()
    kinds = BlockType(
        "test.kinds", "Every kind", "Test", "A block with a parameter of every kind.", params=EVERY_KIND,
        outputs=(Output("result", "what it made"),), run=lambda ctx, **kw: {"result": 1},
    )  # fmt: skip
    return Registry([*base, kinds])


REGISTRY = _registry()

WORKFLOW = """
flowdeck: 1
name: Inspector test
vars:
  folder: ~/Reports
steps:
  first:
    do: log
    with: {message: hello}
    next: kinds
  kinds:
    do: test.kinds
    with: {title: Hello}
    next: last
  last:
    do: log
    with: {message: "{{ steps.kinds.result }}"}
"""


def make_document(text: str = WORKFLOW) -> WorkflowDocument:
    wf, problems = read_text(text, "inspector.yaml", REGISTRY)
    assert wf is not None and not [p for p in problems if p.is_error], problems
    return WorkflowDocument(wf, REGISTRY)


@pytest.fixture
def document() -> WorkflowDocument:
    return make_document()


@pytest.fixture
def inspector(qtbot: QtBot, document: WorkflowDocument) -> Inspector:
    widget = Inspector(document)
    qtbot.addWidget(widget)
    widget.resize(360, 900)
    widget.show()
    return widget


def params(document: WorkflowDocument, step: str = "kinds") -> dict[str, Any]:
    return dict(document.workflow.steps[step].params)
