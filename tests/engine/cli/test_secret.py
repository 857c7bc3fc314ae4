"""``flowdeck secret``: values go to the keyring (the in-memory test backend), names to an index, never printed."""

from __future__ import annotations

import io

import keyring
import pytest

from engine.cli.cmd_secret import index_path
from engine.cli.main import main
from engine.runtime.context import read_secret


def run(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_set_list_delete(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["secret", "set", "smtp_password"], "hunter2\n", monkeypatch) == 0
    assert run(["secret", "set", "api.token"], "abc", monkeypatch) == 0
    assert keyring.get_password("flowdeck", "smtp_password") == "hunter2"
    assert read_secret("api.token") == "abc"  # what a running workflow reads
    out = capsys.readouterr().out
    assert "hunter2" not in out and "secret 'smtp_password' stored" in out
    assert main(["secret", "list"]) == 0
    listed = capsys.readouterr().out.split()
    assert "api.token" in listed and "smtp_password" in listed
    assert "hunter2" not in index_path().read_text()
    assert main(["secret", "delete", "api.token"]) == 0
    assert keyring.get_password("flowdeck", "api.token") is None
    main(["secret", "list"])
    assert "api.token" not in capsys.readouterr().out.split()


def test_bad_names_empty_values_and_unknown(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    assert run(["secret", "set", "bad name"], "x", monkeypatch) == 2
    assert "use letters, digits" in capsys.readouterr().err
    assert run(["secret", "set", "empty"], "\n", monkeypatch) == 1
    assert "the value is empty" in capsys.readouterr().err
    assert keyring.get_password("flowdeck", "empty") is None
    assert main(["secret", "delete", "never_stored"]) == 1
    assert "no secret named 'never_stored'" in capsys.readouterr().err
