"""Background priority for CPU-heavy runs in a run process (engine.runtime.worker).

A run that has used more than ``LONG_CPU`` seconds of processor time goes on at nice ``BACKGROUND_NICE``: the
operating system then gives the cores first to what is waiting for them (the scheduler's fires, the window, short
runs, the person's other programs), and the heavy run still gets every core nobody else wants. A run that waits
on programs, files or the network never uses that much CPU and is never lowered.

Linux sets a nice value per thread, so only the run's thread is lowered, and because an unprivileged thread
cannot raise its priority again, the next run gets a new thread. On other systems runs keep normal priority.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Callable

LONG_CPU = 0.2  # seconds of CPU a run uses at normal priority
BACKGROUND_NICE = 10  # a weight of ≈ 1/10 of a normal thread's when both want a core
_CHECK_EVERY = 0.05

SUPPORTED = sys.platform.startswith("linux") and hasattr(os, "setpriority") and hasattr(time, "pthread_getcpuclockid")


class Demoter:
    """Lowers the priority of the thread between ``begin`` and ``end`` once it has used ``LONG_CPU`` of CPU.

    Its own thread keeps normal priority, and starts the thread that replaces a lowered one (``start_thread``):
    a new thread inherits the nice value of the thread that starts it.
    """

    def __init__(self, long_cpu: float = LONG_CPU) -> None:
        self.long_cpu = long_cpu
        self._lock = threading.Lock()
        self._active = threading.Event()
        self._clock = 0
        self._start = 0.0
        self._tid = 0
        self._lowered = False
        self._asleep = True  # the watcher waits with no timeout (no run going)
        self._starts: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        if SUPPORTED:
            threading.Thread(target=self._watch, name="flowdeck-worker-priority", daemon=True).start()

    def start_thread(self, target: Callable[[], None], name: str) -> None:
        """Start ``target`` on a new thread of normal priority."""

        def start() -> None:
            threading.Thread(target=target, name=name, daemon=True).start()

        if SUPPORTED:
            self._starts.put(start)
        else:
            start()

    def begin(self) -> None:
        """Call on the run's thread as its run starts."""
        if not SUPPORTED:
            return
        with self._lock:
            self._clock = time.pthread_getcpuclockid(threading.get_ident())
            self._start = time.clock_gettime(self._clock)
            self._tid = threading.get_native_id()
            self._lowered = False
            self._active.set()
            asleep = self._asleep
        if asleep:  # else it looks within _CHECK_EVERY anyway: runs back to back wake no thread each
            self._starts.put(None)

    def end(self) -> bool:
        """Call on the run's thread as its run ends; True if the thread was lowered (it should not run another)."""
        with self._lock:
            self._active.clear()
            return self._lowered

    def _watch(self) -> None:
        while True:
            with self._lock:
                self._asleep = not self._active.is_set()  # begin wakes it only from this wait
            try:
                start = self._starts.get(timeout=None if self._asleep else _CHECK_EVERY)
            except queue.Empty:
                start = None
            if start is not None:
                start()
                continue
            with self._lock:
                if not self._active.is_set() or self._lowered:
                    continue
                try:
                    if time.clock_gettime(self._clock) - self._start < self.long_cpu:
                        continue
                    os.setpriority(os.PRIO_PROCESS, self._tid, BACKGROUND_NICE)
                except OSError:
                    continue
                self._lowered = True
