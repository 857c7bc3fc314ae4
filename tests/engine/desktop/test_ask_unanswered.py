"""An unanswered question's step error says how the question ended (the app's dialog reports it)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.desktop.ask import Question, ask
from engine.errors import StepError


class _Host:
    """A host whose person never answers; the reply says how the dialog ended."""

    def __init__(self, ended: str | None) -> None:
        self.ended = ended

    def ask(self, question: dict[str, Any]) -> dict[str, Any]:
        return {"answer": None, "answered": False, "ended": self.ended}


@pytest.mark.parametrize(
    ("ended", "words"),
    [
        ("timeout", "nobody answered within 30 s, and name has no default"),
        (None, "nobody answered within 30 s, and name has no default"),
        ("closed", "the question was closed without an answer, and name has no default"),
        ("quit", "the Flowdeck app quit before the question was answered, and name has no default"),
    ],
)
def test_the_error_names_how_the_question_ended(ended: str | None, words: str) -> None:
    with pytest.raises(StepError) as caught:
        ask(_Host(ended), Question("text", "Name?", timeout=30), "name")
    assert str(caught.value) == words


def test_a_default_is_taken_however_it_ended() -> None:
    out = ask(_Host("closed"), Question("text", "Name?", default="Ann", timeout=30), "name")
    assert out == {"answer": "Ann", "answered": False}
