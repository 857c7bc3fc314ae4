"""Key combinations are read the same way everywhere: names, aliases, order, and one-line errors."""

import pytest

from engine.desktop.keys import Combo, combo_problem, parse_combo


def test_a_combination_is_read_with_aliases_and_modifiers_in_a_fixed_order() -> None:
    assert parse_combo("Alt+Control+R") == Combo(("ctrl", "alt"), "r")
    assert parse_combo("cmd+shift+F5").keys == ["shift", "super", "f5"]
    assert str(parse_combo(" ctrl + enter ")) == "ctrl+enter"
    assert parse_combo("shift") == Combo((), "shift")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("ctrl+", "a '+' with no key"),
        ("ctrl+alt+banana", "'banana' is not a key name"),
        ("r+ctrl", "only the last key"),
        ("ctrl+ctrl+a", "named twice"),
        ("", "expected a key combination"),
        (42, "expected a key combination"),
    ],
)
def test_a_bad_combination_says_what_is_wrong(text: object, words: str) -> None:
    problem = combo_problem(text)
    assert problem is not None and words in problem
