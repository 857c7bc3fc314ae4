"""Threads for parallel branches and for_each items, at most MAX_BRANCHES at once for a run and the runs it starts.

More wait their turn in a queue: a thread that finishes its branch takes the next one, and a thread that waits for
other branches (a scope, a for_each) gives its place away while it waits, so waiting never deadlocks. A thread the
system refuses to start fails its run with a message that says so (and the branch is ended, not lost).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Owner(Protocol):
    """The run a branch belongs to: told when a thread for it could not start."""

    def thread_failed(self, exc: BaseException) -> None: ...


Job = tuple[Owner, Callable[..., Any], tuple[Any, ...]]


class Branches:
    """The branch threads of one run tree (a run and every workflow.run below it)."""

    def __init__(self, limit: int, name: str) -> None:
        self.limit = limit
        self.name = name
        self._lock = threading.Lock()
        self._running = 0  # threads holding a place
        self._threads = 0  # branch threads alive: those holding a place and those waiting for other branches
        self.most_threads = limit  # then a waiting thread runs queued branches itself instead of starting a new one
        self._pending: deque[Job] = deque()
        self._local = threading.local()  # .holds: whether this thread holds a place
        self.peak = 0  # most threads holding a place at once (for tests and benchmarks)

    def start(self, owner: Owner, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on a branch thread now, or as soon as one is free."""
        with self._lock:
            free = self._running < self.limit and self._threads < self.most_threads
            if not free and self._running:  # a thread at work takes it when it is done
                self._pending.append((owner, fn, args))
                return
            if free:
                self._take()
        if free:
            self._launch((owner, fn, args))
        else:  # every branch thread waits for others: run it here, one after the other
            fn(*args)

    def _take(self) -> None:
        self._running += 1
        self.peak = max(self.peak, self._running)

    def _launch(self, job: Job) -> None:
        with self._lock:
            self._threads += 1
        try:
            threading.Thread(target=self._work, args=(job,), name=f"flowdeck-branch-{self.name}", daemon=True).start()
        except RuntimeError as exc:  # "can't start new thread": out of memory or of the system's thread limit
            with self._lock:
                self._running -= 1
                self._threads -= 1
            owner, fn, args = job
            owner.thread_failed(exc)
            fn(*args)  # the run is halted now: the branch ends at once and its scope's count stays right

    def _work(self, job: Job | None) -> None:
        self._local.holds = True
        while job is not None:
            _, fn, args = job
            try:
                fn(*args)
            finally:
                with self._lock:
                    job = self._pending.popleft() if self._pending else None
                    if job is None:
                        self._running -= 1
                        self._threads -= 1
        self._local.holds = False

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Around a wait for other branches: this thread's place goes to a queued branch meanwhile."""
        if not getattr(self._local, "holds", False):
            yield
            return
        while True:  # too many threads wait already: run queued branches here first (they may be the awaited ones)
            with self._lock:
                job = self._pending.popleft() if self._pending and self._threads >= self.most_threads else None
            if job is None:
                break
            _, fn, args = job
            fn(*args)
        with self._lock:
            self._running -= 1
            room = self._running < self.limit and self._threads < self.most_threads
            job = self._pending.popleft() if self._pending and room else None
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
