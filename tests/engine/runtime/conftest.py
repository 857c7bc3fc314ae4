"""Shared helpers for runtime tests: a registry with a few test blocks and a YAML-to-Workflow loader."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.errors import StepError
from engine.io import read_text
from engine.model.workflow import Workflow
from engine.registry.blocks import BlockType, Registry, default_registry
from engine.registry.params import Kind, Param
from engine.runtime import Engine


def _boom(ctx: Any, message: str = "boom") -> dict[str, Any]:
    raise ValueError(message)


def _flaky(ctx: Any, fails: int = 1, kind: str = "network") -> dict[str, Any]:
    count = ctx.state.get("flaky", 0) + 1
    ctx.state.set("flaky", count)
    if count <= fails:
        raise StepError(f"flaky failure {count}", kind=kind)
    return {"calls": count}


def _block_until_cancel(ctx: Any) -> dict[str, Any]:
    threading.Event().wait(30)  # ignores cancellation on purpose: the engine must abandon it
    return {}


def _test_registry() -> Registry:
    base = default_registry()
    extra = [
        BlockType("test.boom", "Boom", "Test", "raises", params=(Param("message", default="boom"),), run=_boom),
        BlockType(
            "test.flaky",
            "Flaky",
            "Test",
            "fails n times",
            params=(Param("fails", Kind.INTEGER, default=1), Param("kind", default="network")),
            run=_flaky,
        ),
        BlockType("test.stuck", "Stuck", "Test", "ignores cancel", run=_block_until_cancel),
    ]
    return Registry([*base, *extra])


REGISTRY = _test_registry()


def load(text: str) -> Workflow:
    wf, problems = read_text(text, "test.yaml", REGISTRY)
    assert wf is not None and not [p for p in problems if p.severity == "error"], problems
    return wf


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = Engine(workers=4, registry=REGISTRY)
    yield eng
    eng.shutdown(1)


@pytest.fixture
def loader() -> Callable[[str], Workflow]:
    return load
