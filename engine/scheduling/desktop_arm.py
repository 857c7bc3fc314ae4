"""Arming the desktop triggers (hotkey, window, clipboard, session, device) for the scheduling service.

They need the person's desktop session, so only the app arms them. ``flowdeck daemon`` (a server, a container, a
service started before anyone logs in) says in one line per trigger that it is not armed. A trigger that cannot be
armed in the app (a hotkey another program holds, no window manager, a Wayland session, a missing library) is
reported with one line in the log and as a ``not_armed`` service event (the app shows a tray message), and kept
until the file is disarmed (edited, removed, switched off), so the app can ask which triggers are not armed now.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.desktop import wayland_problem
from engine.desktop.base import DesktopUnavailable
from engine.desktop.keys import parse_combo
from engine.desktop.triggers import DEVICE_EVENTS, KINDS, SESSION_EVENTS, events
from engine.model.durations import parse_duration
from engine.model.workflow import Trigger

log = logging.getLogger("flowdeck.scheduling")
Fire = Callable[[Path, dict[str, Any]], Any]
Report = Callable[[Path, str], None]
# =1: arm the desktop triggers as on Windows and macOS (pynput, polling) on Linux too: their tests
PORTABLE_ENV = "FLOWDECK_PORTABLE_TRIGGERS"
PORTABLE_SESSION = ("sleep", "wake", "idle")  # the session events watched by polling (Windows, macOS)
# the session events the system tells of: Windows' WTS session messages, macOS' screen lock notifications
NATIVE_SESSION = {"win32": ("login", "lock", "unlock"), "darwin": ("lock", "unlock")}
DAEMON_LINE = "{file}: the {kind} trigger ({words}) is not armed: desktop triggers need the Flowdeck app on the desktop"


@dataclass(frozen=True)
class NotArmed:
    """A desktop trigger the app could not arm: its file, the trigger as written, and why."""

    path: Path
    trigger: Trigger
    reason: str  # "the hotkey ctrl+alt+t is already taken by another program"
    armed_for: tuple[str, ...] = ()  # the events it does fire on, when only some of them could not be watched

    @property
    def message(self) -> str:
        """The logged line, naming the file: "taken.yaml: the hotkey trigger is not armed: the hotkey ..."."""
        if self.armed_for:
            only = ", ".join(self.armed_for)
            return f"{self.path.name}: the {self.trigger.kind} trigger is armed for {only} only: {self.reason}"
        return f"{self.path.name}: the {self.trigger.kind} trigger is not armed: {self.reason}"


class DesktopTriggers:
    """The armed desktop triggers of every workflow file, each a watcher with its own thread."""

    def __init__(self, fire: Fire, report: Report, *, armed_here: bool) -> None:
        self._fire, self._report, self.armed_here = fire, report, armed_here
        self._lock = threading.Lock()
        self._armed: dict[Path, list[Any]] = {}
        self._hotkeys: dict[str, Path] = {}
        self._failed: dict[Path, list[NotArmed]] = {}  # until the file is disarmed

    def arm(self, path: Path, trigger: Trigger) -> None:
        kind = KINDS[trigger.kind]
        if not self.armed_here:
            log.warning(DAEMON_LINE.format(file=path.name, kind=kind.kind, words=kind.describe(trigger.options)))
            return
        try:
            watcher = self._make(path, trigger)
        except DesktopUnavailable as exc:
            self._not_armed(NotArmed(path, trigger, str(exc)))
            return
        except Exception as exc:  # a broken library or display must not stop the other triggers
            log.exception("could not arm the %s trigger of %s", kind.kind, path.name)
            self._not_armed(NotArmed(path, trigger, f"{type(exc).__name__}: {exc}"))
            return
        watcher.start()
        with self._lock:
            self._armed.setdefault(path, []).append(watcher)

    def _not_armed(self, failed: NotArmed) -> None:
        with self._lock:
            self._failed.setdefault(failed.path, []).append(failed)
        self._report(failed.path, failed.message)

    def not_armed(self) -> list[NotArmed]:
        """The triggers that could not be armed, by file name; a file's go when it is disarmed (or armed again)."""
        with self._lock:
            found = [n for failed in self._failed.values() for n in failed]
        return sorted(found, key=lambda n: (n.path.name, str(n.path)))

    def _make(self, path: Path, trigger: Trigger) -> Any:
        o, kind = trigger.options, trigger.kind
        fire = _firing(self._fire, path, kind)
        if portable():
            return self._portable(path, trigger, fire)
        if KINDS[kind].needs_display:
            problem = wayland_problem()
            if problem:
                raise DesktopUnavailable(problem)
            from engine.desktop import x11_watch

            display = os.environ["DISPLAY"]
            if kind == "hotkey":
                return self._hotkey(path, str(o["keys"]), lambda keys: x11_watch.HotkeyWatch(display, keys, fire))
            if kind == "window":
                on = events(o, "on", ("opened",))
                return x11_watch.WindowWatch(display, str(o.get("app") or ""), str(o.get("title") or ""), on, fire)
            return x11_watch.ClipboardWatch(display, o.get("match"), fire)
        from engine.desktop import dbus_watch

        if kind == "session":
            idle = parse_duration(o.get("idle", "10m"), "idle time")
            return dbus_watch.SessionWatch(events(o, "on", SESSION_EVENTS), idle, fire)
        return dbus_watch.DeviceWatch(str(o["kind"]), events(o, "on", DEVICE_EVENTS), fire)

    def _portable(self, path: Path, trigger: Trigger, fire: Callable[[dict[str, Any]], None]) -> Any:
        """The hotkey through pynput; windows, the clipboard, idle, network and power by polling: as on Windows and
        macOS, where lock and unlock (and login on Windows) come from the system; USB and monitors are not armed."""
        kind, o = trigger.kind, trigger.options
        if kind == "session":
            return self._portable_session(path, trigger, fire)
        if kind == "device":
            if o["kind"] not in ("network", "power"):
                raise DesktopUnavailable(f"the {o['kind']} device trigger is not watched on {_system()} yet "
                                         "(no maintained library offers it; docs/desktop.md)")  # fmt: skip
            from engine.desktop.poll_device import PollDeviceWatch

            return PollDeviceWatch(str(o["kind"]), events(o, "on", DEVICE_EVENTS), fire)
        problem = wayland_problem()  # None on Windows and macOS
        if problem:
            raise DesktopUnavailable(problem)
        if kind == "hotkey":
            from engine.desktop.pynput_watch import PynputHotkeyWatch

            return self._hotkey(path, str(o["keys"]), lambda keys: PynputHotkeyWatch(keys, fire))
        from engine.desktop import backend

        if kind == "window":
            from engine.desktop.poll_watch import PollWindowWatch

            app, title = str(o.get("app") or ""), str(o.get("title") or "")
            return PollWindowWatch(backend(), app, title, events(o, "on", ("opened",)), fire)
        from engine.desktop.poll_clipboard import PollClipboardWatch

        return PollClipboardWatch(backend(), o.get("match"), fire)

    def _portable_session(self, path: Path, trigger: Trigger, fire: Callable[[dict[str, Any]], None]) -> Any:
        """Idle, sleep and wake by polling, lock/unlock/login from the system where it tells (NATIVE_SESSION); the
        events that cannot be watched are one not-armed line, the rest armed."""
        from engine.desktop.poll_session import PollSessionWatch

        on = events(trigger.options, "on", SESSION_EVENTS)
        native = [e for e in on if e in NATIVE_SESSION.get(sys.platform, ())]
        unwatched = [e for e in on if e not in PORTABLE_SESSION and e not in native]
        verb = "is" if len(unwatched) == 1 else "are"
        reasons = [f"{', '.join(unwatched)} {verb} not watched on {_system()} yet"] if unwatched else []
        idle_seconds = None
        if "idle" in on:
            try:
                idle_seconds = _idle_reader()
            except DesktopUnavailable as exc:
                reasons.append(f"idle cannot be watched: {exc}")
                unwatched.append("idle")
        why = "; ".join(reasons)
        watched = [e for e in on if e not in unwatched]
        if not watched:
            raise DesktopUnavailable(why)
        watchers: list[Any] = []
        if native:
            watchers.append(_native_session(native, fire))
        if unwatched:
            self._not_armed(NotArmed(path, trigger, why, armed_for=tuple(watched)))
        idle = parse_duration(trigger.options.get("idle", "10m"), "idle time")
        polled = [e for e in watched if e not in native]
        if polled:
            watchers.append(PollSessionWatch(polled, idle, fire, idle_seconds))
        return watchers[0] if len(watchers) == 1 else _Together(watchers)

    def _hotkey(self, path: Path, keys: str, make: Callable[[str], Any]) -> Any:
        combo = str(parse_combo(keys))
        with self._lock:
            owner = self._hotkeys.get(combo)
        if owner is not None and owner != path:
            raise DesktopUnavailable(f"the hotkey {combo} is already the trigger of {owner.name}")
        watcher = make(keys)
        with self._lock:
            self._hotkeys[combo] = path
        return watcher

    def disarm(self, path: Path) -> bool:
        """Stop the file's watchers and forget what could not be armed; whether there was either."""
        with self._lock:
            watchers = self._armed.pop(path, [])
            failed = self._failed.pop(path, [])
            for combo in [c for c, p in self._hotkeys.items() if p == path]:
                del self._hotkeys[combo]
        for watcher in watchers:
            watcher.stop()
        return bool(watchers or failed)

    def stop(self) -> None:
        with self._lock:  # a rescan may arm meanwhile
            paths = {*self._armed, *self._failed}
        for path in paths:
            self.disarm(path)


def portable() -> bool:
    """Whether the desktop triggers are armed with pynput and polling (not X11's, logind's or udev's events)."""
    return sys.platform in ("win32", "darwin") or os.environ.get(PORTABLE_ENV) == "1"


class _Together:
    """A trigger watched by two watchers (lock and unlock told by the system, the rest by polling)."""

    def __init__(self, watchers: list[Any]) -> None:
        self.watchers = watchers

    def start(self) -> None:
        for w in self.watchers:
            w.start()

    def stop(self) -> None:
        for w in self.watchers:
            w.stop()


def _native_session(on: list[str], fire: Callable[[dict[str, Any]], None]) -> Any:
    """Not run in Flowdeck's tests (no Windows or macOS here)."""
    if sys.platform == "win32":
        from engine.desktop._win32_session import WtsSessionWatch

        return WtsSessionWatch(on, fire)
    from engine.desktop.mac_session import MacSessionWatch

    return MacSessionWatch(on, fire)


def _system() -> str:
    return {"win32": "Windows", "darwin": "macOS"}.get(sys.platform, f"Linux with {PORTABLE_ENV}=1")


def _idle_reader() -> Callable[[], float]:
    """The backend's idle_seconds, read once here so that a display without the means says so when arming."""
    from engine.desktop import backend

    if sys.platform not in ("win32", "darwin"):
        problem = wayland_problem()
        if problem:
            raise DesktopUnavailable(problem)
    read = backend().idle_seconds
    read()
    return read


def _firing(fire: Fire, path: Path, kind: str) -> Callable[[dict[str, Any]], None]:
    def fired(fields: dict[str, Any]) -> None:
        try:
            fire(path, {"kind": kind, **fields})
        except Exception:  # a failing fire must not end the watcher's thread
            log.exception("the %s trigger of %s failed to start a run", kind, path.name)

    return fired
