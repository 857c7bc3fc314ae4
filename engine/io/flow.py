"""What the wiring of a workflow says about its steps: which run in a loop body, which on an error route, and
which can have run before which. Every answer is computed in time linear in the number of steps and wires (the
order answers in time linear in wires × the number of steps read by templates / 64, a bit set per step).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from engine.model.workflow import ERROR_PORT, Workflow
from engine.registry.blocks import BlockType, Registry

BODY_PORT = "body"  # the port of for_each and repeat whose path runs once per round


def is_loop(block: BlockType | None) -> bool:
    """A block the runtime carries out itself with a body path (for_each, repeat)."""
    return block is not None and block.run is None and BODY_PORT in block.ports.names


def reach(wf: Workflow, roots: Iterable[str]) -> set[str]:
    """Every step reachable from ``roots`` (themselves included) over every wire."""
    steps = wf.steps
    seen = {r for r in roots if r in steps}
    todo = list(seen)
    while todo:
        for _, target in steps[todo.pop()].targets():
            if target in steps and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def loop_bodies(wf: Workflow, registry: Registry) -> set[str]:
    """The steps that run inside the body of some loop (where ``loop`` is defined)."""
    roots = [t for step in wf.steps.values() if is_loop(registry.get(step.do)) for t in step.next.get(BODY_PORT, ())]
    return reach(wf, roots)


def error_routes(wf: Workflow) -> set[str]:
    """The steps that run after an error was caught (``on_error: <step>``, the on_failure step): ``error`` is set."""
    roots = [t for step in wf.steps.values() for port, t in step.targets() if port == ERROR_PORT]
    if wf.on_failure:
        roots.append(wf.on_failure)
    return reach(wf, roots)


class Order:
    """Which steps can have run before a step, for the steps templates read (``watched``).

    The graph is the wiring, with each loop's other ports leaving from a node "loop finished" that the ends of its
    body lead to, so a step after the loop comes after its body. None of it is built when the wiring has a cycle
    (an error reported elsewhere).
    """

    def __init__(self, wf: Workflow, registry: Registry, watched: Iterable[str]) -> None:
        self.bit = {sid: 1 << i for i, sid in enumerate(dict.fromkeys(s for s in watched if s in wf.steps))}
        self.before: dict[str, int] | None = self._build(wf, registry) if self.bit else {}

    def can_precede(self, earlier: str, step: str) -> bool:
        """True when ``earlier`` can have run before ``step`` on some path (always True if unknown)."""
        if self.before is None or earlier not in self.bit:
            return True
        return bool(self.before.get(step, 0) & self.bit[earlier])

    def _build(self, wf: Workflow, registry: Registry) -> dict[str, int] | None:
        succ = self._graph(wf, registry)
        indegree: dict[str, int] = dict.fromkeys(succ, 0)
        for targets in succ.values():
            for t in targets:
                indegree[t] += 1
        ready = deque(n for n, d in indegree.items() if d == 0)
        before: dict[str, int] = {}
        done = 0
        while ready:
            node = ready.popleft()
            done += 1
            carry = before.get(node, 0) | self.bit.get(node, 0)
            for t in succ[node]:
                before[t] = before.get(t, 0) | carry
                indegree[t] -= 1
                if indegree[t] == 0:
                    ready.append(t)
        return before if done == len(succ) else None

    @staticmethod
    def _graph(wf: Workflow, registry: Registry) -> dict[str, list[str]]:
        steps = wf.steps
        loops = {sid for sid, s in steps.items() if is_loop(registry.get(s.do))}
        succ: dict[str, list[str]] = {sid: [] for sid in steps}
        for sid in loops:
            succ[_finished(sid)] = []
        for sid, step in steps.items():
            for port, target in step.targets():
                if target not in steps:
                    continue
                if sid in loops and port != BODY_PORT:
                    succ[_finished(sid)].append(target)
                else:
                    succ[sid].append(target)
            if sid in loops:
                succ[sid].append(_finished(sid))
        owner = _owners(wf, loops)
        for node in list(succ):  # the ends of a body lead to "its loop finished"
            if not succ[node]:
                loop = owner.get(node[1:] if node.startswith("\0") else node)
                if loop is not None:
                    succ[node].append(_finished(loop))
        return succ


def _finished(loop: str) -> str:
    return "\0" + loop  # no step id can hold a NUL


def _owners(wf: Workflow, loops: set[str]) -> dict[str, str | None]:
    """Each step's innermost loop (the loop whose body it runs in), or None at the top; first path found wins."""
    steps = wf.steps
    owner: dict[str, str | None] = {}
    for root in steps:
        if root in owner:
            continue
        owner[root] = None
        todo = [root]
        while todo:
            sid = todo.pop()
            for port, target in steps[sid].targets():
                if target in steps and target not in owner:
                    owner[target] = sid if sid in loops and port == BODY_PORT else owner[sid]
                    todo.append(target)
    return owner
