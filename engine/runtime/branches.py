"""Threads for parallel branches and for_each items: at most MAX_BRANCHES for a run and the runs it starts.

More branches wait their turn in a queue; a thread that finishes its branch takes the next one. A thread that waits
for other branches (a scope's end, a for_each's items) first runs the queued branches it waits for itself, then
gives its place away while it waits, so waiting never deadlocks and never needs a thread more. A thread the system
refuses to start fails its run with a message that says so, and the branch still ends (it is not lost).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, Protocol


class Owner(Protocol):
    """The run a branch belongs to: told when a thread for it could not start."""

    def thread_failed(self, exc: BaseException, starting: bool = True) -> None: ...


class Job(NamedTuple):
    owner: Owner
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    group: object  # what waits for it (a scope, a for_each): that waiter may run it itself


class Branches:
    """The branch threads of one run tree (a run and every workflow.run below it)."""

    def __init__(self, limit: int, name: str) -> None:
        self.limit = limit
        self.name = name
        self._lock = threading.Lock()
        self._running = 0  # threads holding a place (not waiting for other branches)
        self._pending: deque[Job] = deque()
        self._local = threading.local()  # .holds: whether this thread holds a place
        self.peak = 0  # most threads holding a place at once (for tests and benchmarks)

    def start(self, owner: Owner, fn: Callable[..., Any], *args: Any, group: object = None) -> None:
        """Run ``fn(*args)`` on a branch thread now, or as soon as one is free."""
        job = Job(owner, fn, args, group)
        with self._lock:
            if self._running >= self.limit:  # a thread at work takes it when it is done, or its waiter runs it
                self._pending.append(job)
                return
            self._take()
        self._launch(job)

    def _take(self) -> None:
        self._running += 1
        self.peak = max(self.peak, self._running)

    def _launch(self, job: Job) -> None:
        try:
            threading.Thread(target=self._work, args=(job,), name=f"flowdeck-branch-{self.name}", daemon=True).start()
        except BaseException as exc:  # "can't start new thread": out of memory or of the system's thread limit
            with self._lock:
                self._running -= 1
            job.owner.thread_failed(exc)
            self._run(job)  # the run is halted now: the branch ends at once and its scope's count stays right

    def _work(self, job: Job | None) -> None:
        self._local.holds = True
        while job is not None:
            self._run(job)
            with self._lock:
                job = self._pending.popleft() if self._pending else None
                if job is None:
                    self._running -= 1
        self._local.holds = False

    @staticmethod
    def _run(job: Job) -> None:
        try:
            job.fn(*job.args)
        except BaseException as exc:  # a branch's own errors end in its scope; this is out of memory or worse
            job.owner.thread_failed(exc, starting=False)

    def _own(self, group: object) -> Job | None:
        """A queued job of ``group`` (called with the lock held)."""
        for index, job in enumerate(self._pending):
            if job.group is group:
                del self._pending[index]
                return job
        return None

    @contextmanager
    def waiting(self, group: object = None) -> Iterator[None]:
        """Around a wait for the branches of ``group``: the queued ones run here first, then this thread's place
        goes to another queued branch while it waits."""
        if not getattr(self._local, "holds", False):
            yield
            return
        while group is not None:
            with self._lock:
                job = self._own(group)
            if job is None:
                break
            self._run(job)
        with self._lock:
            self._running -= 1
            job = self._pending.popleft() if self._pending and self._running < self.limit else None
            if job is not None:
                self._take()
        self._local.holds = False
        if job is not None:
            self._launch(job)
        try:
            yield
        finally:
            with self._lock:
                self._take()  # back to work at once, even over the limit for a moment: waiting here could deadlock
            self._local.holds = True
