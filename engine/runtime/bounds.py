"""The limits that keep one run from taking the computer: value sizes, item counts, branches, nesting, time.

Expressions are checked where they could grow or spin: every call, every binary operator that can multiply a value
(``*``, ``**``, ``+``, ``%``), every ``for`` loop and ``~`` join, and the ``range`` and ``lipsum`` globals. A size is
refused before the value is built; time (the step's ``timeout``, the run's ``timeout``, a cancel) is checked on the
template context's ``LIMITS`` entry, which the executor puts there for each run (and each step with a timeout).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from jinja2 import pass_context

from engine.errors import Cancelled, StepError, StepTimeout

MAX_VALUE_CHARS = 10_000_000  # one value of an expression: 10 MB of text
MAX_VALUE_ITEMS = 1_000_000  # one list of an expression, and the items of a for_each (its max_items default)
MAX_INT_BITS = 1_000_000  # ≈ 300,000 digits: bigger numbers take seconds to compute, and cannot be printed anyway
MAX_RANGE = 100_000  # range() in an expression (Jinja's own sandbox limit)
MAX_LIPSUM = 100  # paragraphs of lipsum()
MAX_BRANCHES = 64  # threads of parallel branches and for_each items of one run (and the runs it starts)
MAX_NESTING = 32  # workflow.run inside workflow.run ...
CHECK_EVERY = 1024  # loop rounds between two looks at the clock

TOO_BIG = f"the expression's result is larger than {MAX_VALUE_CHARS // 1_000_000} MB (the limit for one value)"
TOO_LONG = f"the expression's result has more than {MAX_VALUE_ITEMS:,} items (the limit for one list)"
TOO_LARGE_NUMBER = f"the expression's result is a number of more than {MAX_INT_BITS:,} bits (the limit for one number)"


class LimitError(StepError):
    """A value, a count or a depth went past one of Flowdeck's limits (error kind ``limit``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="limit")


# The template context's entry with what a render must obey: (when its time is up as a time.monotonic() moment or
# None, the message then, the run's cancel event or None). A name no template can write.
LIMITS = "bounded limits"
Limits = tuple[float | None, str, threading.Event | None]


def check_time(context: Mapping[str, Any] | Any) -> None:
    """Raise if the run of this render (``context``: the template context, or a Jinja Context over it) was
    cancelled or its time is up."""
    state = getattr(context, "parent", context).get(LIMITS)  # a Jinja Context's parent is the template context
    if state is None:
        return
    at, message, cancel = state
    if cancel is not None and cancel.is_set():
        raise Cancelled("the run was cancelled while an expression was computed")
    if at is not None and time.monotonic() > at:
        raise StepTimeout(message)


_TEXTS = frozenset({str, bytes})
_LISTS = frozenset({list, tuple, dict})


def check_size(value: Any) -> Any:
    """``value`` itself, or a LimitError if it is a text, a list or a number over the limits."""
    kind = value.__class__
    if kind in _TEXTS:
        if len(value) > MAX_VALUE_CHARS:
            raise LimitError(TOO_BIG)
    elif kind in _LISTS:
        if len(value) > MAX_VALUE_ITEMS:
            raise LimitError(TOO_LONG)
    elif kind is int and value.bit_length() > MAX_INT_BITS:
        raise LimitError(TOO_LARGE_NUMBER)
    return value


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _bits(value: Any) -> int | None:
    return value.bit_length() if isinstance(value, int) and not isinstance(value, bool) else None


def _refuse_length(length: int, like: Any) -> None:
    if isinstance(like, str | bytes):
        if length > MAX_VALUE_CHARS:
            raise LimitError(TOO_BIG)
    elif length > MAX_VALUE_ITEMS:
        raise LimitError(TOO_LONG)


_WIDTH = re.compile(r"[%:][^%:{}]*?(\d{7,})")  # a field width of a million or more in a % or {} format


def before_binop(context: Any, operator: str, left: Any, right: Any) -> None:
    """Refuse ``left operator right`` before Python computes it if its result would be over a limit."""
    check_time(context)
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            length, count = _length(seq), _bits(times)
            if length is not None and count is not None:
                _refuse_length(length * max(0, times), seq)
                return
        lb, rb = _bits(left), _bits(right)
        if lb is not None and rb is not None and lb + rb > MAX_INT_BITS:
            raise LimitError(TOO_LARGE_NUMBER)
    elif operator == "**":
        lb, rb = _bits(left), _bits(right)
        if lb is not None and rb is not None and right > 0 and abs(left) > 1 and (lb - 1) * right > MAX_INT_BITS:
            raise LimitError(TOO_LARGE_NUMBER)
    elif operator == "%" and isinstance(left, str) and _WIDTH.search(left):
        raise LimitError(TOO_BIG)


def bounded_add(left: Any, right: Any) -> Any:
    """The ``+`` operator of expressions (the hot one, ``{{ vars.n + 1 }}``): texts and lists refused before they
    are joined if over the limits; numbers at once (a sum cannot grow past its terms, nor spin)."""
    if left.__class__ is not int or right.__class__ is not int:
        ll, rl = _length(left), _length(right)
        if ll is not None and rl is not None:
            _refuse_length(ll + rl, left)
    return left + right


_WIDENING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def before_call(context: Any, obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a text method call whose result would be over the size limit (``'x'.center(10**9)``)."""
    check_time(context)
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(obj, "__name__", "")
    values = (*args, *kwargs.values())
    if name in _WIDENING and any(isinstance(v, int) and v > MAX_VALUE_CHARS for v in values):
        raise LimitError(TOO_BIG)
    if name in ("format", "format_map") and _WIDTH.search(owner):
        raise LimitError(TOO_BIG)
    if name == "replace" and len(args) >= 2:
        _before_replace(owner, args[0], args[1])
    if name == "join" and args:
        before_join(owner, args[0])


def _before_replace(text: str, old: Any, new: Any) -> None:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        count = text.count(old) if old else len(text) + 1
        _refuse_length(len(text) + count * (len(new) - len(old)), text)


def before_join(separator: Any, items: Any) -> None:
    """Refuse joining ``items`` if the text would be over the size limit (a list of big texts, a huge separator)."""
    if isinstance(items, list | tuple):
        sep = len(separator) if isinstance(separator, str) else 0
        total = sep * max(0, len(items) - 1)
        for item in items:
            total += len(item) if isinstance(item, str) else 0
        _refuse_length(total, "")


_SIZED = frozenset({list, tuple, dict, str, range})


@pass_context
def bounded_iter(context: Any, iterable: Any) -> Any:
    """What a ``for`` loop in an expression iterates: ``iterable``, looking at the clock every 1,024 rounds."""
    check_time(context)
    if iterable.__class__ in _SIZED and len(iterable) <= CHECK_EVERY:
        return iterable
    return _checked(context, iterable)


def _checked(context: Any, iterable: Iterable[Any]) -> Iterator[Any]:
    for count, item in enumerate(iterable, 1):
        if not count % CHECK_EVERY:
            check_time(context)
        yield item


def bounded_range(*args: int) -> range:
    """``range`` for expressions: at most MAX_RANGE numbers (a loop over them watches the clock itself)."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitError(f"range() would make {len(numbers):,} numbers; the limit is {MAX_RANGE:,}")
    return numbers


def bounded_join(parts: tuple[Any, ...]) -> str:
    """The ``~`` operator: the texts of ``parts`` joined, refused before if over the size limit."""
    texts = [str(p) for p in parts]
    _refuse_length(sum(map(len, texts)), "")
    return "".join(texts)


def bounded_concat(chunks: Iterable[str]) -> str:
    """A template's output, refused before it is joined if over the size limit (a loop printing a big value).

    The parts are only references to texts already made (the loop that makes them looks at the clock itself); a
    few are joined first (a copy of at most a few values that exist anyway), many are measured first."""
    parts = list(chunks)
    if len(parts) > 16 and sum(map(len, parts)) > MAX_VALUE_CHARS:
        raise LimitError(TOO_BIG)
    text = "".join(parts)
    if len(text) > MAX_VALUE_CHARS:
        raise LimitError(TOO_BIG)
    return text
