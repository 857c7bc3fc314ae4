"""A scope walks the graph from one step until every path in it has ended.

The whole run is a scope; so is each round of a for_each or repeat body. Several ``next`` targets
fork branches onto threads; a join waits until no running branch of its scope can still reach it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.runtime.executor import Run


class Scope:
    """Token accounting for one traversal; ``loop`` and ``error`` are what its templates see."""

    def __init__(self, run: Run, loop: dict[str, Any] | None = None, error: dict[str, Any] | None = None) -> None:
        self.run = run
        self.loop = loop
        self.error = error
        self.last_output: Any = None
        self._cond = threading.Condition()
        self._active = 0
        self._positions: defaultdict[str, int] = defaultdict(int)  # cheaper to make than a Counter (one per round)
        self._arrivals: dict[str, list[str]] = {}
        self._failure: BaseException | None = None

    def walk(self, start: str) -> Any:
        """Run from ``start`` until every branch ends; re-raise the first failure of any branch."""
        with self._cond:
            self._active = 1
            self._positions[start] += 1
        self._token(start, None)
        with self._cond:
            forked = self._active > 0  # most walks (a loop round without parallel paths) are done here
        if forked:
            with self.run.branches.waiting(self), self._cond:
                while self._active:
                    self._cond.wait()
        if self._failure is not None:
            raise self._failure
        return self.last_output

    def _token(self, step_id: str, joined: list[str] | None) -> None:
        run = self.run
        current: str | None = step_id
        previous = ""
        try:
            while current is not None and not run.halted:
                plan = run.plan.steps[current]
                if plan.block.type == "join" and joined is None:
                    self._arrive(current, previous)
                    current = None
                    return
                targets = run.execute_step(plan, self, joined)
                joined = None
                previous = current
                current = self._move(current, targets)
            if current is not None:  # the run was halted (stop, fail elsewhere, cancel) before this step began
                run.skipped(current)
        except BaseException as exc:
            with self._cond:
                if self._failure is None:
                    self._failure = exc
            run.halt_branches()
        finally:
            self._end(current)

    def _move(self, current: str, targets: tuple[str, ...]) -> str | None:
        with self._cond:
            self._positions[current] -= 1
            if not targets:
                return None
            for extra in targets[1:]:
                self._positions[extra] += 1
                self._active += 1
            self._positions[targets[0]] += 1
        for extra in targets[1:]:
            self.run.spawn(self._token, extra, None, group=self)
        return targets[0]

    def _arrive(self, join: str, came_from: str) -> None:
        with self._cond:
            self._positions[join] -= 1
            self._arrivals.setdefault(join, []).append(came_from)

    def _end(self, current: str | None) -> None:
        fire: list[tuple[str, list[str]]] = []
        with self._cond:
            if current is not None:
                self._positions[current] -= 1
            self._active -= 1
            fire = self._ready_joins()
            self._active += len(fire)
            for join, _ in fire:
                self._positions[join] += 1
            if not self._active:
                self._cond.notify_all()
        for join, arrivals in fire:
            self.run.spawn(self._token, join, arrivals, group=self)

    def _ready_joins(self) -> list[tuple[str, list[str]]]:
        """Joins none of whose feeders has a branch running any more (called with the lock held)."""
        ready = []
        for join, arrivals in list(self._arrivals.items()):
            feeders = self.run.plan.feeders.get(join, frozenset())
            if not any(n > 0 and pos in feeders for pos, n in self._positions.items()):
                ready.append((join, arrivals))
                del self._arrivals[join]
        return ready
