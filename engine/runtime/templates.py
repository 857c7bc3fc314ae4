"""Expressions between steps: Jinja2 in a sandbox, compiled once and cached.

A value that is exactly one ``{{ expression }}`` keeps its native type (a list stays a list);
text mixed with expressions renders to a string. Values without ``{{``/``{%`` are left alone.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer

from engine.errors import Cancelled, StepError
from engine.runtime import bounds

# ``{{ steps.fetch.json }}``, ``{{ loop.item }}``: a plain dotted name, looked up without building a Jinja context.
_PATH = re.compile(r"^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}\s*$")
_LITERALS = frozenset({"true", "false", "none", "True", "False", "None"})
_WHOLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\}\}).)*)\}\}\s*$", re.DOTALL)


def _fromjson(text: str) -> Any:
    return json.loads(text)


def _strftime(value: Any, fmt: str = "%Y-%m-%d") -> str:
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value)
    elif isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime(fmt)


def _ago(value: datetime, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    return value - timedelta(days=days, hours=hours, minutes=minutes)


class _Bounded(NodeTransformer):
    """Rewrites a parsed template so that its loops and ``~`` joins go through the limits (engine.runtime.bounds)."""

    # As filters, which compiled code calls directly (a call would go through the sandbox's checks); the names
    # cannot be written in a template.

    def visit_For(self, node: nodes.For) -> nodes.Node:
        node = self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "bounded loop", [], [], None, None)
        return node

    def visit_Add(self, node: nodes.Add) -> nodes.Node:
        node = self.generic_visit(node)
        if _number(node.left) or _number(node.right):  # {{ vars.n + 1 }}: a sum, or an error, never a long text
            return node
        return nodes.Filter(node.left, "bounded add", [node.right], [], None, None, lineno=node.lineno)

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)
        return nodes.Filter(nodes.Tuple(list(node.nodes), "load"), "bounded join", [], [], None, None)


def _number(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Const) and isinstance(node.value, int | float) and not isinstance(node.value, bool)


class _Env(ImmutableSandboxedEnvironment):
    """The sandbox, where ``vars.items`` means the variable named items, not the dict method, and where every call,
    loop and growing operator is checked against the limits and the rendering thread's deadline."""

    intercepted_binops = frozenset({"*", "**", "%"})  # and + as the "bounded add" filter: a call less

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        bounds.before_binop(context, operator, left, right)
        return self.binop_table[operator](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        bounds.before_call(__context, __obj, args, kwargs)
        return bounds.check_size(super().call(__context, __obj, *args, **kwargs))

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return _Bounded().visit(super()._parse(source, name, filename))


def _bounded_filter(func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses a result over the size limit (its time is bounded by its input's size)."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        return bounds.check_size(func(*args, **kwargs))

    if hasattr(func, "jinja_pass_arg"):
        bounded.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


def _join_filter(func: Callable[..., Any]) -> Callable[..., Any]:
    def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        if attribute is None:
            bounds.before_join(d, value if isinstance(value, list | tuple) else list(value))
        return func(eval_ctx, value, d, attribute)

    join.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    return join


def _width_filter(func: Callable[..., Any]) -> Callable[..., Any]:
    """center/indent: refuse a width that alone is over the size limit."""

    def widened(value: Any, width: Any = 80, *args: Any, **kwargs: Any) -> Any:
        if isinstance(width, int) and width > bounds.MAX_VALUE_CHARS:
            raise bounds.LimitError(bounds.TOO_BIG)
        return func(value, width, *args, **kwargs)

    return widened


def _wordwrap(func: Callable[..., Any]) -> Callable[..., Any]:
    """wordwrap cuts a long word with one copy per line (quadratic): refused over 100,000 characters."""

    def wordwrap(environment: Any, s: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(s, str) and len(s) > 100_000:
            raise bounds.LimitError("wordwrap() is limited to texts of 100,000 characters")
        return func(environment, s, *args, **kwargs)

    wordwrap.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    return wordwrap


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if n > bounds.MAX_LIPSUM or max > 1000:
        raise bounds.LimitError(f"lipsum() is limited to {bounds.MAX_LIPSUM} paragraphs of at most 1,000 words")
    return generate_lorem_ipsum(n, html, min, max)


def _make_env() -> ImmutableSandboxedEnvironment:
    env = _Env(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters.update(
        fromjson=_fromjson,
        date=_strftime,
        ago=_ago,
        basename=lambda p: os.path.basename(str(p)),
        dirname=lambda p: os.path.dirname(str(p)),
        stem=lambda p: Path(str(p)).stem,
        suffix=lambda p: Path(str(p)).suffix,
        expanduser=lambda p: os.path.expanduser(str(p)),
    )
    env.filters["join"] = _join_filter(env.filters["join"])
    env.filters["wordwrap"] = _wordwrap(env.filters["wordwrap"])
    for name in ("center", "indent"):
        env.filters[name] = _width_filter(env.filters[name])
    env.filters.update({name: _bounded_filter(func) for name, func in env.filters.items()})
    env.filters.update(
        {"bounded loop": bounds.bounded_iter, "bounded join": bounds.bounded_join, "bounded add": bounds.bounded_add}
    )
    env.globals.update(timedelta=timedelta, range=bounds.bounded_range, lipsum=_lipsum)
    return env


ENV = _make_env()
_GLOBALS = dict(ENV.globals)


def is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


@lru_cache(maxsize=8192)
def compile_value(source: str) -> Callable[[Mapping[str, Any]], Any]:
    """Compile a template text once; the result renders it against a context mapping."""
    whole = _WHOLE.match(source)
    if whole and "{{" not in whole.group("expr") and "{%" not in source:
        template = ENV.from_string("{% set result = " + whole.group("expr").strip() + " %}")
        func, blocks, name = template.root_render_func, template.blocks, template.name

        def expression(ctx: Mapping[str, Any]) -> Any:
            # A shared context over globals+ctx skips Jinja's per-call copying (the hot path of every step).
            context = new_context(ENV, name, blocks, {**_GLOBALS, **ctx}, True)
            for _ in func(context):
                pass
            return _defined(context.vars["result"])  # every producer of a big value checked it before making it

        path = _PATH.match(source)
        if path and path.group(1).split(".")[0] not in _LITERALS:
            return _path_lookup(path.group(1).split("."), expression)
        return expression
    template = ENV.from_string(source)
    func, blocks, name = template.root_render_func, template.blocks, template.name
    return lambda ctx: bounds.bounded_concat(func(new_context(ENV, name, blocks, {**_GLOBALS, **ctx}, True)))


def _path_lookup(names: list[str], slow: Callable[[Mapping[str, Any]], Any]) -> Callable[[Mapping[str, Any]], Any]:
    """The same lookups Jinja's compiled code makes (the sandbox's ``getattr`` per dot), without its context."""
    head, rest = names[0], tuple(names[1:])
    getattr_ = ENV.getattr

    def lookup(ctx: Mapping[str, Any]) -> Any:
        if head in ctx:
            value = ctx[head]
        elif head in _GLOBALS:
            value = _GLOBALS[head]
        else:
            return slow(ctx)  # Jinja's own "is undefined" error
        for name in rest:
            value = getattr_(value, name)
        return _defined(value)

    return lookup


def _defined(value: Any) -> Any:
    if isinstance(value, StrictUndefined):
        str(value)  # raises UndefinedError with Jinja's own description
    return value


def render(value: Any, ctx: Mapping[str, Any], where: str = "") -> Any:
    """Render every template inside ``value`` (text, lists and mappings, recursively)."""
    if isinstance(value, str):
        if "{{" not in value and "{%" not in value:
            return value
        return _render_text(value, ctx, where)
    if isinstance(value, list):
        return [render(v, ctx, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: render(v, ctx, f"{where}.{k}" if where else str(k)) for k, v in value.items()}
    return value


Renderer = Callable[[Mapping[str, Any]], Any]


def compile_params(params: Mapping[str, Any], untemplated: frozenset[str], where: str) -> Renderer:
    """A function that renders a step's parameters against a context, prepared once when the plan is made.

    Literal values are not looked at again (mutable ones are copied per call, as blocks may change them); each
    template is compiled up front and renders with its error location already formatted.
    """
    parts = [(k, _constant(v) if k in untemplated else _compile(v, f"{where}.{k}")) for k, v in params.items()]
    return lambda ctx: {k: part(ctx) for k, part in parts}


def _constant(value: Any) -> Renderer:
    if isinstance(value, str | int | float | bool | type(None)):
        return lambda ctx: value
    return lambda ctx: _copy(value)


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value


def _compile(value: Any, where: str) -> Renderer:
    if isinstance(value, str):
        if "{{" not in value and "{%" not in value:
            return _constant(value)
        return lambda ctx: _render_text(value, ctx, where)
    if isinstance(value, Mapping):
        items = [(k, _compile(v, f"{where}.{k}")) for k, v in value.items()]
        return lambda ctx: {k: part(ctx) for k, part in items}
    if isinstance(value, list | tuple):
        elements = [_compile(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return lambda ctx: [part(ctx) for part in elements]
    return _constant(value)


def _render_text(source: str, ctx: Mapping[str, Any], where: str) -> Any:
    prefix = f"{where}: " if where else ""
    try:
        return compile_value(source)(ctx)
    except SecurityError as exc:
        raise StepError(f"{prefix}not allowed in an expression ({exc}) in {source!r}", kind="template") from None
    except UndefinedError as exc:
        raise StepError(f"{prefix}{_undefined_hint(str(exc))} in {source!r}", kind="template") from None
    except TemplateError as exc:
        raise StepError(f"{prefix}expression error: {exc} in {source!r}", kind="template") from None
    except StepError as exc:
        raise StepError(f"{prefix}{exc}", kind=exc.kind) from None
    except Cancelled:
        raise
    except MemoryError:
        raise StepError(f"{prefix}out of memory while computing the expression {_short(source)}", "memory") from None
    except RecursionError:
        raise StepError(f"{prefix}the expression calls itself too deeply in {_short(source)}", "limit") from None
    except Exception as exc:  # an expression dividing by zero, a bad fromjson, ...
        raise StepError(f"{prefix}{type(exc).__name__}: {exc} in {source!r}", kind="template") from None


def _short(source: str) -> str:
    return repr(source if len(source) <= 200 else source[:200] + "…")


def _undefined_hint(message: str) -> str:
    # Jinja says "'dict object' has no attribute 'totl'"; name the missing key plainly.
    match = re.search(r"has no attribute '([^']+)'", message)
    if match:
        return f"'{match.group(1)}' is not defined here"
    match = re.search(r"'([^']+)' is undefined", message)
    if match:
        return f"'{match.group(1)}' is not defined (known: vars, steps, trigger, env, secrets, now, run, error, loop)"
    return message
