"""Who owns a run: a process named by more than its pid, so that a later process given the same pid is not taken
for it (PID 1 in a container always exists; pids are reused after a reboot or a wrap-around).

A process is its pid, the boot it runs in (``/proc/sys/kernel/random/boot_id``) and its start time (field 22 of
``/proc/PID/stat``, in clock ticks since boot). Where these cannot be read (systems without ``/proc``), the boot and
start time are empty and only the pid is compared, as before.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True, slots=True)
class Owner:
    """A process: pid, boot id and start time ("" when the system does not tell)."""

    pid: int
    boot: str = ""
    started: str = ""


@cache
def boot_id() -> str:
    """This boot's id, or "" where the system has none to read."""
    try:
        return _BOOT_ID.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def start_time(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, as text); "" if unknown here, None if there is no
    such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else _pid_only(pid)
    except OSError:
        return ""
    # the command name (field 2) may hold spaces and parentheses: the fields after it follow the last ")"
    fields = text[text.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def _pid_only(pid: int) -> str | None:
    """No /proc: whether ``pid`` exists is all there is to know ("" if it does, None if not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except OSError:
        return ""
    return ""


_this: Owner | None = None


def this_process() -> Owner:
    """The process this code runs in (read once per process: a forked child reads its own)."""
    global _this
    if _this is None or _this.pid != os.getpid():
        _this = Owner(os.getpid(), boot_id(), start_time(os.getpid()) or "")
    return _this


def alive(owner: Owner) -> bool:
    """Whether ``owner`` still runs: same boot, and its pid is held by a process that started when it did."""
    if owner.boot and boot_id() and owner.boot != boot_id():
        return False  # the machine has restarted since: every process of that boot is gone
    started = start_time(owner.pid)
    if started is None:
        return False
    return not (owner.started and started and owner.started != started)  # the same pid, a later process


def owns_row(me: Owner, pid: int | None, boot: str | None, started: str | None) -> bool:
    """Whether the process that wrote a 'running' row with ``pid`` (known in ``owners`` as ``boot``/``started``)
    still runs. A pid without its ``owners`` row (a history from before it existed) has only the pid to go by;
    if that pid is this process's, the row is a former process's: this one writes its owner with each of its rows."""
    if pid is None:
        return False
    if boot is None:
        return pid != me.pid and alive(Owner(pid))
    return alive(Owner(pid, boot, started or ""))
