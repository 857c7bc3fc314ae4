"""The desktop trigger kinds: known to the parser, checked by the validator with one line per problem."""

from __future__ import annotations

import pytest

from engine.desktop.triggers import KINDS
from engine.io.triggers import check_trigger
from engine.model.workflow import TRIGGER_KINDS, Trigger
from engine.scheduling.describe import describe_trigger


def test_every_declared_kind_is_a_trigger_kind_of_the_file_format() -> None:
    assert set(KINDS) <= set(TRIGGER_KINDS)


@pytest.mark.parametrize(
    ("kind", "options", "problem"),
    [
        ("hotkey", {}, "keys: required"),
        ("hotkey", {"keys": "ctrl+banana"}, "'banana' is not a key name"),
        ("window", {"on": ["opened"]}, "name the window"),
        ("window", {"title": "x", "on": ["minimised"]}, "expected one or a list of opened, focused, closed"),
        ("clipboard", {"match": "(unclosed"}, "not a valid regular expression"),
        ("session", {"idle": "soon"}, "expected a duration"),
        ("device", {"kind": "toaster"}, "kind: expected one of usb, display, network, power"),
        ("device", {"kind": "usb", "colour": "red"}, "unknown option"),
    ],
)
def test_a_wrong_option_is_one_clear_problem(kind: str, options: dict, problem: str) -> None:
    found = check_trigger(Trigger(kind, options))
    assert len(found) == 1 and problem in found[0][1], found


def test_good_triggers_pass_and_read_as_words() -> None:
    good = [
        Trigger("hotkey", {"keys": "ctrl+alt+r"}),
        Trigger("window", {"app": "firefox", "title": "*Invoice*", "on": ["opened", "focused"]}),
        Trigger("clipboard", {"match": "^https?://"}),
        Trigger("session", {"on": ["unlock", "idle"], "idle": "10m"}),
        Trigger("device", {"kind": "usb", "on": "added"}),
    ]
    assert [check_trigger(t) for t in good] == [[]] * 5
    assert [describe_trigger(t) for t in good] == [
        "when ctrl+alt+r is pressed",
        "when a firefox '*Invoice*' window is opened or focused",
        "when text is copied that matches ^https?://",
        "on session unlock or idle",
        "when a usb device is added",
    ]
