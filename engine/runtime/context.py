"""What a running step sees: the step context blocks use, secrets, and the headless host."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import Cancelled, StepError, StepTimeout
from engine.runtime.redact import variants
from engine.runtime.secrets import KEYRING_SERVICE, public_environment, read_secret  # noqa: F401 (lookup order there)

if TYPE_CHECKING:
    from engine.registry.context import Host, StateStore
    from engine.runtime.executor import Run
    from engine.runtime.scope import Scope

log = logging.getLogger("flowdeck.run")


class HeadlessHost:
    """The host for runs without the app: notifications go to the log; the clipboard is refused;
    ``open`` hands the target to the system's opener (xdg-open or gio, macOS open, Windows' associations)."""

    OPEN_GRACE = 1.0  # seconds an opener gets to report a failure before it is left to run on its own

    def notify(self, title: str, message: str, level: str = "info") -> None:
        log.log(
            logging.WARNING if level in ("warning", "error") else logging.INFO,
            "[notification] %s: %s",
            title,
            message,
        )

    def clipboard_get(self) -> str:
        raise StepError("the clipboard needs the Flowdeck app; this run has no desktop (headless)", kind="host")

    def clipboard_set(self, text: str) -> None:
        self.clipboard_get()

    def open(self, target: str) -> None:
        if sys.platform == "win32":
            try:
                os.startfile(target)  # type: ignore[attr-defined]
            except OSError as exc:
                raise StepError(f"cannot open {target}: {exc.strerror or exc}", kind="host") from None
            return
        command = self._opener(target)
        if command is None:
            raise StepError(
                f"cannot open {target}: no desktop opener was found (this run is not in the Flowdeck app, "
                "and neither xdg-open nor gio is installed)",
                kind="host",
            )
        self._launch(command, target)

    @staticmethod
    def _opener(target: str) -> list[str] | None:
        """The opener command for ``target``, or None when the system has none on PATH."""
        import shutil

        candidates = (["open"],) if sys.platform == "darwin" else (["xdg-open"], ["gio", "open"])
        for command in candidates:
            found = shutil.which(command[0])
            if found:
                return [found, *command[1:], target]
        return None

    def _launch(self, command: list[str], target: str) -> None:
        """Start the opener in its own session, not waiting for the app it starts; it is always reaped."""
        import subprocess

        from engine.runtime.childenv import session_environ

        name = os.path.basename(command[0])
        quiet = subprocess.DEVNULL
        try:
            proc = subprocess.Popen(
                command, stdin=quiet, stdout=quiet, stderr=quiet, env=session_environ(), start_new_session=True
            )
        except OSError as exc:
            raise StepError(f"cannot open {target}: {name} could not be started ({exc.strerror})", "host") from None
        try:
            code = proc.wait(self.OPEN_GRACE)
        except subprocess.TimeoutExpired:  # still busy (or it runs the app itself): reap it when it ends
            threading.Thread(target=proc.wait, name="flowdeck-open", daemon=True).start()
            return
        if code != 0:
            raise StepError(
                f"cannot open {target}: {name} failed (exit code {code}); is there an app for this kind of file?",
                kind="host",
            )


class Secrets(Mapping[str, str]):
    """``{{ secrets.name }}``: read lazily from the OS keyring; every value read is remembered for redaction."""

    def __init__(self, found: set[str], lock: threading.Lock, reader: Callable[[str], str] | None = None) -> None:
        self._cache: dict[str, str] = {}
        self._found = found
        self._lock = lock
        self.reader = reader or read_secret  # a run process asks the engine's process, which holds the keyring

    def __getitem__(self, name: str) -> str:
        if name in self._cache:
            return self._cache[name]
        value = self.reader(name)
        masks = variants(value) if value else set()
        with self._lock:
            self._cache[name] = value
            self._found.update(masks)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)


class StepContextImpl:
    """The StepContext protocol (engine.registry.context) for one attempt of one step."""

    __slots__ = (
        "_run",
        "_scope",
        "cancel_event",
        "deadline",
        "host",
        "run_id",
        "state",
        "step_id",
        "workflow_dir",
        "workflow_name",
    )

    def __init__(
        self,
        run: Run,
        step_id: str,
        deadline: float | None,
        cancel_event: threading.Event,
        scope: Scope | None = None,
    ) -> None:
        self._run = run
        self._scope = scope
        self.run_id = run.run_id
        self.step_id = step_id
        self.workflow_name = run.plan.name
        self.workflow_dir = run.plan.folder
        self.cancel_event = cancel_event
        self.deadline = deadline
        self.host: Host = run.host
        self.state: StateStore = run.state

    def log(self, message: str, level: str = "info") -> None:
        self._run.log(self.step_id, message, level)

    def progress(self, done: float, total: float | None = None) -> None:
        self._run.progress(self.step_id, done, total)

    def secret(self, name: str) -> str:
        return self._run.secrets[name]

    def values(self) -> dict[str, Any]:
        """The run's values a python.run step hands to the user's code: vars, steps, trigger, run, loop.

        Secrets are never included (nor the environment): code that needs a secret gets it through a parameter.
        """
        return self._run.user_values(self._scope)

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def check_cancelled(self) -> None:
        if self.cancel_event.is_set():
            if self.deadline is not None and time.monotonic() >= self.deadline:
                raise StepTimeout(f"step '{self.step_id}' ran out of time")
            raise Cancelled("the run was cancelled")
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise StepTimeout(f"step '{self.step_id}' ran out of time")


def env_snapshot() -> dict[str, str]:
    return public_environment()


def resolve_path(folder: Path, value: str) -> Path:
    """A parameter path: ``~`` expanded, relative to the workflow file's folder."""
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else folder / path
