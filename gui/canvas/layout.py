"""Tidy-up: a layered layout (columns by distance from the start, rows ordered to keep wires short).

Plain Python over the model (no Qt), so it can place the steps of a file that has no ``layout:`` too.
"""

from __future__ import annotations

from collections import deque

from engine.model.workflow import Workflow

COLUMN = 260
ROW = 140


def layers(wf: Workflow) -> dict[str, int]:
    """Step id -> column: the longest wire path from a step nothing leads to (back edges of loops ignored)."""
    succ = {sid: [t for _, t in s.targets() if t in wf.steps and t != sid] for sid, s in wf.steps.items()}
    order = _dfs_order(wf, succ)
    rank = {sid: i for i, sid in enumerate(order)}
    layer = dict.fromkeys(wf.steps, 0)
    for sid in order:
        for t in succ[sid]:
            if rank[t] > rank[sid]:  # forward edge
                layer[t] = max(layer[t], layer[sid] + 1)
    return layer


def _dfs_order(wf: Workflow, succ: dict[str, list[str]]) -> list[str]:
    """A topological order of the forward edges (reverse post-order of a DFS from the roots)."""
    has_in = {t for targets in succ.values() for t in targets}
    roots = [sid for sid in wf.steps if sid not in has_in] or list(wf.steps)[:1]
    seen: set[str] = set()
    post: list[str] = []
    for root in [*roots, *wf.steps]:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(succ[root]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                post.append(node)
                stack.pop()
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(succ[child])))
    return post[::-1]


def tidy(wf: Workflow, heights: dict[str, float] | None = None) -> dict[str, tuple[float, float]]:
    """New positions for every step."""
    layer = layers(wf)
    columns: dict[int, list[str]] = {}
    queue = deque(wf.steps)
    while queue:
        sid = queue.popleft()
        columns.setdefault(layer[sid], []).append(sid)
    preds: dict[str, list[str]] = {sid: [] for sid in wf.steps}
    for sid, s in wf.steps.items():
        for _, t in s.targets():
            if t in preds:
                preds[t].append(sid)
    row: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for col in sorted(columns):
        ids = columns[col]
        index = {s: i for i, s in enumerate(ids)}
        ids.sort(key=lambda s: _barycentre(preds[s], row, index[s]))
        y = 0.0
        for i, sid in enumerate(ids):
            row[sid] = float(i)
            positions[sid] = (float(col * COLUMN), y)
            y += max(ROW, (heights or {}).get(sid, 0) + 40)
    return positions


def _barycentre(preds: list[str], row: dict[str, float], fallback: int) -> float:
    placed = [row[p] for p in preds if p in row]
    return sum(placed) / len(placed) if placed else float(fallback)
