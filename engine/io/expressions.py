"""Templates read before they run: their syntax, and the names each one reads.

A template is parsed with the sandboxed environment the runtime uses (engine.runtime.templates.ENV), so what
passes here compiles there. Each template gives a list of :class:`Ref` — the dotted names it reads, such as
``("steps", "fetch", "json")`` — which engine.io.references checks against the workflow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Jinja2 is imported when the first template is read, not when a window starts
    from jinja2 import nodes

# What a step's template context holds (engine.runtime.executor.Run.template_context; a test keeps them equal).
CONTEXT_NAMES = ("vars", "steps", "trigger", "env", "secrets", "now", "run", "error", "loop")
# Tests and filters that make a missing name harmless: ``x is defined``, ``x | default(...)``.
_GUARD_TESTS = frozenset(("defined", "undefined"))
_GUARD_FILTERS = frozenset(("default", "d"))
# A template that is only text and plain dotted names needs no parser (the common case, and 100× faster).
_SIMPLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
_KEYWORDS = frozenset(("and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None"))


@dataclass(frozen=True)
class Ref:
    """A dotted name a template reads: ``names`` from the root (``("steps", "fetch", "json")``)."""

    names: tuple[str, ...]
    guarded: bool = False  # under ``| default`` or ``is defined``: its last name may be missing
    covered: bool = False  # an ``is defined`` test in the template guards a prefix of it: any part may be missing

    def may_lack(self, depth: int) -> bool:
        """Whether ``names[depth]`` may be missing without the expression failing (StrictUndefined fails on any
        attribute of a missing name, so ``steps.x.json | default`` still needs ``steps.x``)."""
        return self.covered or (self.guarded and depth == len(self.names) - 1)


@dataclass(frozen=True)
class Parsed:
    """A template's references, or the syntax error that stops it from compiling."""

    refs: tuple[Ref, ...] = ()
    error: str | None = None


def is_template(value: object) -> bool:
    """True for text the runtime renders (it holds ``{{`` or ``{%``)."""
    return isinstance(value, str) and ("{{" in value or "{%" in value)


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    """Every name an expression may start with: the context's and the environment's globals (timedelta, range…)."""
    from engine.runtime.templates import ENV

    return frozenset(CONTEXT_NAMES) | frozenset(ENV.globals)


@lru_cache(maxsize=4096)
def parse_template(source: str) -> Parsed:
    """The names ``source`` reads, or why it does not compile. Never raises."""
    simple = _simple(source)
    if simple is not None:
        return Parsed(simple)
    pieces = _PIECE.findall(source) if "{%" not in source and "{#" not in source else None
    if pieces and source.count("{{") == len(pieces):
        # Text around expressions: parse each expression once, however many texts it appears in.
        parsed = [_parse("{{" + piece + "}}") for piece in pieces]
        if not any(p.error for p in parsed):
            return Parsed(tuple(ref for p in parsed for ref in p.refs))
    return _parse(source)  # the whole text (also to word an error exactly as the run would)


_PIECE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@lru_cache(maxsize=4096)
def _parse(source: str) -> Parsed:
    from jinja2 import TemplateSyntaxError

    from engine.runtime.templates import ENV

    try:
        tree = ENV.parse(source)
    except TemplateSyntaxError as exc:
        where = f" (line {exc.lineno} of the text)" if exc.lineno and "\n" in source.strip() else ""
        return Parsed(error=f"expression syntax error: {exc.message}{where} in {_short(source)}")
    except RecursionError:
        return Parsed(error=f"the expression nests too deeply to be read in {_short(source)}")
    try:
        return Parsed(tuple(_references(tree)))
    except RecursionError:  # a legal but absurdly deep expression: its names are not checked
        return Parsed()


def _short(source: str, limit: int = 80) -> str:
    return repr(source if len(source) <= limit else source[: limit - 1] + "…")


def _simple(source: str) -> tuple[Ref, ...] | None:
    if "{%" in source or "{#" in source:
        return None
    found = _SIMPLE.findall(source)
    if len(found) != source.count("{{"):
        return None
    refs = []
    for text in found:
        names = tuple(text.split("."))
        if names[0] in _KEYWORDS:
            return None
        refs.append(Ref(names))
    return tuple(refs)


def _references(tree: nodes.Template) -> list[Ref]:
    from jinja2 import nodes

    local = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    if any(True for _ in tree.find_all((nodes.For, nodes.Macro, nodes.CallBlock))):
        local |= {"loop", "caller", "varargs", "kwargs"}  # Jinja's own names inside its loops and macros
    found: list[Ref] = []
    _walk(tree, "", found)
    tested = {r.names for r in found if r.covered}  # `x is defined` somewhere: x and what is under it
    result = []
    for ref in found:
        if ref.names[0] in local:
            continue
        covered = any(ref.names[: len(t)] == t for t in tested)
        result.append(Ref(ref.names, ref.guarded, covered))
    return result


def _walk(node: nodes.Node, guard: str, out: list[Ref]) -> None:
    """Collect the chains under ``node``; ``guard`` is "" or how the node is guarded ("test" or "filter")."""
    from jinja2 import nodes

    chain = _chain(node)
    if chain is not None:
        names, inner = chain
        out.append(Ref(names, guarded=bool(guard), covered=guard == "test"))
        for sub in inner:  # expressions inside [ ] of the chain
            _walk(sub, "", out)
        return
    if isinstance(node, nodes.Test | nodes.Filter) and node.node is not None:
        test = isinstance(node, nodes.Test)
        guarding = node.name in (_GUARD_TESTS if test else _GUARD_FILTERS)
        _walk(node.node, ("test" if test else "filter") if guarding else "", out)
        for child in node.iter_child_nodes(exclude=("node",)):
            _walk(child, "", out)
        return
    for child in node.iter_child_nodes():
        _walk(child, "", out)


def _chain(node: nodes.Node) -> tuple[tuple[str, ...], list[nodes.Node]] | None:
    """``a.b['c'].d`` as (("a", "b", "c", "d"), [subscript expressions]); None when ``node`` is no such chain."""
    from jinja2 import nodes

    if not isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        return None
    parts: list[str] = []
    inner: list[nodes.Node] = []
    cur: nodes.Node = node
    while True:
        if isinstance(cur, nodes.Getattr):
            parts.append(cur.attr)
            cur = cur.node
        elif isinstance(cur, nodes.Getitem):
            arg = cur.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                parts.append(arg.value)
            else:  # steps[name]: what follows the dynamic part is not known
                parts.clear()
                inner.append(arg)
            cur = cur.node
        elif isinstance(cur, nodes.Name) and cur.ctx == "load":
            parts.append(cur.name)
            return tuple(reversed(parts)), inner
        else:
            return None
