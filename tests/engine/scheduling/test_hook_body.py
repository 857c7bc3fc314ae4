"""What a webhook run sees as trigger.body, and the limits checked before any run (engine.scheduling.hook_request),
and the tokens Flowdeck makes for hooks whose trigger names none (engine.scheduling.hook_tokens)."""

from __future__ import annotations

import json
from email.message import Message
from pathlib import Path

import pytest

from engine.scheduling.hook_request import MAX_DEPTH, RequestError, parse_body
from engine.scheduling.hook_tokens import HookTokens


def headers(kind: str | None) -> Message:
    message = Message()
    if kind is not None:
        message["Content-Type"] = kind
    return message


def lists(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def mappings(depth: int) -> bytes:
    return b'{"a": ' * (depth - 1) + b"{}" + b"}" * (depth - 1)


@pytest.mark.parametrize("body", [lists(MAX_DEPTH), mappings(MAX_DEPTH), b'[{"a": [1, {"b": null}]}, "x"]'])
def test_json_up_to_the_limit_is_parsed(body: bytes) -> None:
    assert parse_body(headers("application/json"), body) == json.loads(body)


@pytest.mark.parametrize("body", [lists(MAX_DEPTH + 1), mappings(MAX_DEPTH + 1), lists(600), lists(100_000)])
def test_json_deeper_than_the_limit_is_400_naming_it(body: bytes) -> None:
    with pytest.raises(RequestError) as caught:
        parse_body(headers("application/json"), body)
    assert caught.value.status == 400
    assert caught.value.message == "the JSON body nests deeper than 64 levels (the limit is 64)"


def test_the_limit_holds_without_a_content_type_too() -> None:
    with pytest.raises(RequestError):
        parse_body(headers(None), lists(65))


def test_bad_json_is_400_and_other_bodies_are_not_parsed() -> None:
    with pytest.raises(RequestError, match="bad JSON body"):
        parse_body(headers("application/json"), b'{"a": ')
    assert parse_body(headers("text/plain"), lists(1000)) == lists(1000).decode()
    assert parse_body(headers("application/x-www-form-urlencoded"), b"a=1&b=2&b=3") == {"a": "1", "b": ["2", "3"]}
    assert parse_body(headers("application/json"), b"") is None


def test_a_made_token_is_kept_for_this_account_only_and_survives_a_restart(tmp_path: Path) -> None:
    first = HookTokens(tmp_path)
    token = first.token("lights")
    assert len(token) >= 24 and first.token("lights") == token and first.token("other") != token
    assert (tmp_path / "webhook-tokens.json").stat().st_mode & 0o077 == 0
    assert HookTokens(tmp_path).token("lights") == token


@pytest.mark.parametrize(
    ("given", "answered", "problem"),
    [
        (None, ("POST",), None),
        ("get", ("GET",), None),
        (["GET", "post", "GET"], ("GET", "POST"), None),
        (["FETCH"], ("POST",), "methods: FETCH is not one of GET, POST, PUT, PATCH, DELETE; the hook answers POST"),
        ({"a": 1}, ("POST",), "methods: {'A': 1} is not one of GET, POST, PUT, PATCH, DELETE; the hook answers POST"),
        (5, ("POST",), "methods: 5 is not one of GET, POST, PUT, PATCH, DELETE; the hook answers POST"),
    ],
)
def test_the_methods_of_a_hook(given: object, answered: tuple[str, ...], problem: str | None) -> None:
    from engine.model.workflow import Trigger
    from engine.scheduling.webhook import hook_methods, methods_problem

    trigger = Trigger("webhook", {"methods": given} if given is not None else {})
    assert hook_methods(trigger) == answered and methods_problem(trigger) == problem
