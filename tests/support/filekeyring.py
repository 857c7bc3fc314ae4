"""A keyring backend kept in a JSON file of the account (``$XDG_DATA_HOME/test-keyring.json``), so that a secret
stored by one ``flowdeck`` process is read by another, as the system keyring does. For e2e tests only: set
``PYTHON_KEYRING_BACKEND=tests.support.filekeyring.FileKeyring`` in the product's environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

BACKEND = "tests.support.filekeyring.FileKeyring"


def _file() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "test-keyring.json"


def store(data_home: Path, service: str, values: dict[str, str]) -> None:
    """Put ``values`` (name → secret) for ``service`` into the keyring of the account whose XDG_DATA_HOME is
    ``data_home`` (``product.data``), as ``flowdeck secret set`` would."""
    path = data_home / "test-keyring.json"
    data = json.loads(path.read_text("utf-8")) if path.exists() else {}
    data.update({f"{service}/{name}": value for name, value in values.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), "utf-8")


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(_file().read_text("utf-8"))
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, str]) -> None:
        _file().parent.mkdir(parents=True, exist_ok=True)
        _file().write_text(json.dumps(data), "utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._save({**self._load(), f"{service}/{username}": password})

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(username)
        self._save(data)
