"""Where a secret comes from, in this order: the environment, the secrets folder, the OS keyring.

- ``FLOWDECK_SECRET_<NAME>``: an environment variable of the Flowdeck process (the daemon's, the app's, the one of
  ``flowdeck run``), the name as written or in capitals, ``.`` and ``-`` as ``_``. These variables are taken out of
  the environment when the engine starts, so ``{{ env.… }}``, programs and run processes never see them.
- ``<config>/flowdeck/secrets/<name>``: a file holding the value (one trailing newline is dropped). It must be
  private (no permissions for group or others, e.g. mode 0600). ``FLOWDECK_SECRETS_DIR`` names another folder,
  such as a container's ``/run/secrets``; its files are used as they are.
- The OS keyring, service ``flowdeck`` (``flowdeck secret set NAME``).

Every value read through a run's ``secrets`` is masked in its events, history and output, whatever its source.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

from engine.errors import StepError

ENV_PREFIX = "FLOWDECK_SECRET_"
DIR_VARIABLE = "FLOWDECK_SECRETS_DIR"
KEYRING_SERVICE = "flowdeck"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")  # what a secret may be called (also a safe file name)

_taken: dict[str, str] = {}  # FLOWDECK_SECRET_* variables, out of os.environ
_lock = threading.Lock()
_seen: dict[Any, Any] | None = None  # os.environ's own (encoded) mapping when ``_public`` was made
_public: dict[str, str] = {}


def _take_locked() -> None:
    for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
        _taken[key] = os.environ.pop(key)


def take_from_environment() -> None:
    """Move every ``FLOWDECK_SECRET_*`` variable out of ``os.environ`` (children and ``env`` never see them)."""
    with _lock:
        _take_locked()


def public_environment() -> dict[str, str]:
    """The environment a run may read as ``env``: the person's session (not a bundle's loader and Qt variables,
    engine/runtime/childenv.py), without the secret variables; a copy of its own.

    Every run asks (Run.__init__): decoding each name and value of ``os.environ`` cost ≈ 30 µs per run, so the
    decoded copy is kept and made again only when ``os.environ``'s own mapping differs from when it was made (a
    comparison and a copy in C, ≈ 1 µs; benchmarks/README.md, "Compared with Node-RED")."""
    global _seen, _public
    raw = getattr(os.environ, "_data", None)  # CPython's encoded mapping behind os.environ
    with _lock:
        if raw is None or raw != _seen:
            from engine.runtime.childenv import session_environ

            _take_locked()
            _public = session_environ()
            _seen = dict(raw) if raw is not None else None
        return dict(_public)


def variable_names(name: str) -> list[str]:
    """The environment variables that hold secret ``name``: as written, then in capitals."""
    base = ENV_PREFIX + re.sub(r"[.-]", "_", name)
    return list(dict.fromkeys([base, ENV_PREFIX + base[len(ENV_PREFIX) :].upper()]))


def secrets_folder() -> Path:
    """The folder of secret files: $FLOWDECK_SECRETS_DIR, or ``secrets`` in Flowdeck's config folder."""
    named = os.environ.get(DIR_VARIABLE)
    if named:
        return Path(named).expanduser()
    from platformdirs import user_config_path

    return user_config_path("flowdeck", appauthor=False) / "secrets"


def read_secret(name: str) -> str:
    """Secret ``name`` from the first source that has it, or a StepError that names it and says how to set it."""
    if not NAME.match(name):
        raise StepError(f"secret {name!r}: a name has letters, digits, _ . and - (and starts with a letter)", "secret")
    take_from_environment()
    for key in variable_names(name):
        if key in _taken:
            return _taken[key]
    value = _from_folder(name)
    if value is not None:
        return value
    return _from_keyring(name)


def _from_folder(name: str) -> str | None:
    folder = secrets_folder()
    path = folder / name
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise StepError(f"secret '{name}': {path} cannot be read ({exc.strerror})", "secret") from None
    if os.name == "posix" and not os.environ.get(DIR_VARIABLE) and mode & 0o077:
        raise StepError(
            f"secret '{name}': {path} can be read by other users (mode {mode & 0o777:04o}); "
            f"make it private with: chmod 600 {path}",
            "secret",
        )
    try:
        value = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StepError(f"secret '{name}': {path} cannot be read ({getattr(exc, 'strerror', None) or exc})",
                        "secret") from None  # fmt: skip
    return value[:-1] if value.endswith("\n") else value


def keyring_problem() -> str | None:
    """Why the OS keyring cannot be used here, or None when there is one."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "backends", None) == []:
        return "there is no system keyring on this machine"
    return None


def elsewhere(name: str) -> str:
    """How to give secret ``name`` to Flowdeck without a keyring (the end of a message)."""
    return (
        f"set the environment variable {variable_names(name)[-1]} for Flowdeck, or put the value in the file "
        f"{secrets_folder() / name} (mode 0600)"
    )


def _from_keyring(name: str) -> str:
    import keyring
    from keyring.errors import KeyringError

    problem = keyring_problem()
    if problem is None:
        try:
            value = keyring.get_password(KEYRING_SERVICE, name)
        except KeyringError as exc:
            problem = f"the system keyring cannot be used ({exc})"
        else:
            if value is not None:
                return value
            raise StepError(
                f"secret '{name}' is not set; add it in Flowdeck's secrets or with 'flowdeck secret set {name}', "
                f"or {elsewhere(name)}",
                kind="secret",
            )
    raise StepError(f"secret '{name}' is not set and {problem}; {elsewhere(name)}", kind="secret")


take_from_environment()  # at import: before the engine starts a run process or a program that would inherit them
