"""A worker node in the test's own process and a daemon-side engine, both on the test process's redis-server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.distributed import broker as b


@pytest.fixture
def settings(redis_url: str) -> b.Settings:
    return b.Settings(redis_url, heartbeat_timeout=1.0)


@pytest.fixture
def node(settings: b.Settings) -> Iterator:
    from engine.distributed.worker import Node

    worker = Node(settings, tags=["office"], workers=2, name="test@host")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop(1.0)


@pytest.fixture
def daemon_engine(settings: b.Settings) -> Iterator:
    from engine.distributed.dispatch import BrokerEngine

    engine = BrokerEngine(settings)
    engine.connect()
    try:
        yield engine
    finally:
        engine.shutdown(0)
