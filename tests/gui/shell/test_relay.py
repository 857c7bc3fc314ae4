"""The relay's event kinds are the engine's (it spells them itself to keep start-up light)."""

from engine.runtime import events as ev
from gui.shell import relay


def test_kinds_match_the_engine() -> None:
    assert (relay.RUN_STARTED, relay.RUN_FINISHED) == (ev.RUN_STARTED, ev.RUN_FINISHED)
