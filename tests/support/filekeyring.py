"""A keyring backend in a JSON file of the test account's HOME: secrets set in one process are read by another."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

NAME = "tests.support.filekeyring.FileKeyring"  # what PYTHON_KEYRING_BACKEND is set to


def _file() -> Path:
    return Path(os.environ["HOME"]) / "test-keyring.json"


def store(home: Path, service: str, values: dict[str, str]) -> None:
    """Put ``values`` (name → secret) for ``service`` into the keyring of the account at ``home``."""
    path = home / "test-keyring.json"
    data = json.loads(path.read_text("utf-8")) if path.exists() else {}
    data.update({f"{service}\n{k}": v for k, v in values.items()})
    path.write_text(json.dumps(data), "utf-8")


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _read(self) -> dict[str, str]:
        path = _file()
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}\n{username}"] = password
        _file().write_text(json.dumps(data), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        _file().write_text(json.dumps(data), "utf-8")
