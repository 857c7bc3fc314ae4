"""File and folder watch triggers: watchdog events filtered by glob and kind, debounced until the file settles.

A file being written produces one "created" and many "modified" events; they are merged per file, and the
trigger fires once when no event came for ``debounce`` seconds and the file's size and mtime stopped changing.
A file renamed into the pattern (``report.pdf.part`` → ``report.pdf``) counts as created. A file that came and
went before it settled (created, then deleted or renamed away) fires nothing, whatever ``events`` lists: every
event of a matching file is noted, also kinds the trigger does not fire for, so that its creation is known.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from engine.model.durations import parse_duration

log = logging.getLogger("flowdeck.scheduling")
Fire = Callable[[Path, dict[str, Any]], Any]
DEFAULT_DEBOUNCE = 1.0


@dataclass
class WatchSpec:
    owner: Path  # the workflow file
    root: Path
    pattern: str
    events: tuple[str, ...]
    recursive: bool
    debounce: float

    @classmethod
    def from_options(cls, owner: Path, options: dict[str, Any]) -> WatchSpec:
        root = Path(os.path.expandvars(str(options["path"]))).expanduser()
        events = options.get("events", ["created"])
        return cls(
            owner=owner,
            root=root if root.is_absolute() else owner.parent / root,
            pattern=str(options.get("pattern", "*")),
            events=tuple([events] if isinstance(events, str) else events),
            recursive=bool(options.get("recursive", False)),
            debounce=parse_duration(options.get("debounce", DEFAULT_DEBOUNCE)),
        )

    def matches(self, path: str) -> bool:
        try:
            rel = Path(path).relative_to(self.root)
        except ValueError:
            return False
        if not self.recursive and len(rel.parts) > 1:
            return False
        target = rel.as_posix() if "/" in self.pattern else rel.name
        return fnmatch.fnmatch(target, self.pattern)


@dataclass
class _Pending:
    spec: WatchSpec
    event: str | None  # the kind to fire with; None while only kinds the trigger does not fire for came
    path: str
    src_path: str | None
    due: float
    signature: tuple[int, int] | None
    created: bool = False  # the file came into being while this was pending


def _signature(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
        return st.st_size, st.st_mtime_ns
    except OSError:
        return None


class _Handler(FileSystemEventHandler):
    def __init__(self, watches: Watches, spec: WatchSpec) -> None:
        self._watches = watches
        self._spec = spec

    def on_any_event(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self._watches.event(self._spec, event)


class Watches:
    """All armed watch triggers over one watchdog observer, with a single debounce thread."""

    def __init__(self, observer: Any, fire: Fire) -> None:
        self._observer = observer
        self._fire = fire
        self._lock = threading.Condition()
        self._armed: dict[Path, list[Any]] = {}
        self._pending: dict[tuple[int, str], _Pending] = {}
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="flowdeck-watch-debounce", daemon=True)
        self._thread.start()

    def arm(self, owner: Path, options: dict[str, Any]) -> str | None:
        """Watch for ``owner``'s trigger; returns why it cannot be armed, or None."""
        spec = WatchSpec.from_options(owner, options)
        if not spec.root.is_dir():
            return f"{owner.name}: the watched folder {spec.root} does not exist; this watch trigger is not armed"
        try:
            watch = self._observer.schedule(_Handler(self, spec), str(spec.root), recursive=spec.recursive)
        except OSError as exc:
            return f"{owner.name}: cannot watch {spec.root}: {exc}"
        self._armed.setdefault(owner, []).append(watch)
        return None

    def disarm(self, owner: Path) -> None:
        for watch in self._armed.pop(owner, []):
            try:
                self._observer.unschedule(watch)
            except (KeyError, ValueError):
                pass
        with self._lock:
            for key in [k for k, p in self._pending.items() if p.spec.owner == owner]:
                del self._pending[key]

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._pending.clear()
            self._lock.notify()

    # events ---------------------------------------------------------------------------------------
    def event(self, spec: WatchSpec, event: FileSystemEvent) -> None:
        kind, path, src = event.event_type, str(event.src_path), None
        if kind == "moved":
            path, src = str(event.dest_path), str(event.src_path)
            if not spec.matches(path):
                if spec.matches(src):  # renamed out of the pattern: gone, as far as this trigger is concerned
                    self._note(spec, "deleted", src, None, wanted=False)
                return
            if not spec.matches(src) and "created" in spec.events and "moved" not in spec.events:
                kind = "created"  # renamed into the pattern: a new file as far as the user is concerned
        if kind not in ("created", "modified", "deleted", "moved") or not spec.matches(path):
            return
        self._note(spec, kind, path, src, wanted=kind in spec.events)

    def _note(self, spec: WatchSpec, kind: str, path: str, src: str | None, *, wanted: bool) -> None:
        key = (id(spec), path)
        due = time.monotonic() + spec.debounce
        with self._lock:
            pending = self._pending.get(key)
            if pending is None:
                if not wanted and kind != "created":
                    return  # nothing to fire for, and no creation to remember
                pending = self._pending[key] = _Pending(spec, None, path, None, due, _signature(path))
            elif kind == "deleted" and pending.created:
                del self._pending[key]  # came and went before it settled: nothing to do
                return
            pending.due = due
            pending.created = pending.created or kind == "created" or (kind == "moved" and not spec.matches(src or ""))
            if wanted and (pending.event is None or kind in ("deleted", "moved")):
                pending.event, pending.src_path = kind, src
            self._lock.notify()

    def _loop(self) -> None:
        while True:
            ready: list[_Pending] = []
            with self._lock:
                if self._stopped:
                    return
                now = time.monotonic()
                for key, p in list(self._pending.items()):
                    if p.due > now:
                        continue
                    signature = _signature(p.path) if p.event != "deleted" else None
                    if signature != p.signature:  # still being written: look again later
                        p.signature, p.due = signature, now + p.spec.debounce
                        continue
                    ready.append(self._pending.pop(key))
                    if ready[-1].event is None or (ready[-1].event != "deleted" and signature is None):
                        ready.pop()  # only kinds it does not fire for, or the file is gone again: nothing to fire
                wait = min((p.due for p in self._pending.values()), default=now + 3600) - now
                if not ready:
                    self._lock.wait(max(wait, 0.01))
                    continue
            for p in ready:
                self._emit(p)

    def _emit(self, p: _Pending) -> None:
        trigger: dict[str, Any] = {
            "kind": "watch",
            "event": p.event,
            "path": p.path,
            "name": Path(p.path).name,
            "folder": str(p.spec.root),
        }
        if p.src_path:
            trigger["src_path"] = p.src_path
        try:
            self._fire(p.spec.owner, trigger)
        except Exception:  # the debounce thread must survive a failing fire
            log.exception("watch trigger of %s failed to start a run", p.spec.owner)
