"""Block types: each declared once, and the registry the validator, CLI, palette and inspector read."""

from __future__ import annotations

import difflib
import importlib
import logging
import pkgutil
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.registry.params import Output, Param, Ports

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "flowdeck.blocks"

RunFn = Callable[..., Any]


@dataclass(frozen=True)
class BlockType:
    """The one declaration of a block type."""

    type: str  # what ``do:`` names, e.g. "file.write"
    title: str
    category: str
    help: str
    params: tuple[Param, ...] = ()
    ports: Ports = field(default_factory=Ports)
    outputs: tuple[Output, ...] = ()
    icon: str = "block"
    run: RunFn | None = None  # None for control blocks the runtime carries out itself
    summary: str = ""  # the key parameter shown on the canvas under the title
    origin: str = "builtin"

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name:
                return p
        return None

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def defaults(self) -> dict[str, Any]:
        """Parameters with a default, as a fresh dict (what a newly dropped block starts with)."""
        return {p.name: p.default for p in self.params if p.has_default and p.required}


# Every block declared with @block, in declaration order; registries are built from it.
DECLARED: dict[str, BlockType] = {}


class DuplicateBlock(ValueError):
    """A block type declared by two modules (a plugin reusing a built-in name, say)."""


def block(
    type: str,
    *,
    title: str,
    category: str,
    help: str,
    params: Sequence[Param] = (),
    ports: Sequence[str] | Ports = ("next",),
    outputs: Sequence[Output | str] = (),
    icon: str = "block",
    summary: str = "",
    control: bool = False,
) -> Callable[[RunFn], RunFn]:
    """Declare a block type. The decorated function runs it: ``fn(ctx, **params) -> output``."""

    def decorate(fn: RunFn) -> RunFn:
        declared = BlockType(
            type=type,
            title=title,
            category=category,
            help=help.strip(),
            params=tuple(params),
            ports=ports if isinstance(ports, Ports) else Ports(tuple(ports)),
            outputs=tuple(o if isinstance(o, Output) else Output(o) for o in outputs),
            icon=icon,
            run=None if control else fn,
            summary=summary or (params[0].name if params else ""),
            origin=fn.__module__,
        )
        _declare(declared)
        fn.block = declared  # type: ignore[attr-defined]
        return fn

    return decorate


def _declare(declared: BlockType) -> None:
    """Add a declaration; the same module declaring again (a reload) replaces its own, another is refused."""
    existing = DECLARED.get(declared.type)
    if existing is not None and existing.origin != declared.origin:
        raise DuplicateBlock(
            f"block type '{declared.type}' is already declared by {existing.origin}; "
            f"{declared.origin} cannot declare it again (give the block another name)"
        )
    DECLARED[declared.type] = declared


class UnknownBlock(KeyError):
    pass


class Registry:
    """Block types by name, with categories for the palette and suggestions for typos."""

    def __init__(self, types: Iterable[BlockType] = ()) -> None:
        self._types: dict[str, BlockType] = {}
        for t in types:
            self.register(t)

    def register(self, block_type: BlockType) -> None:
        self._types[block_type.type] = block_type

    def get(self, name: str) -> BlockType | None:
        return self._types.get(name)

    def __getitem__(self, name: str) -> BlockType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownBlock(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self):
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def categories(self) -> dict[str, list[BlockType]]:
        """Category -> block types, both in declaration order (the palette's groups)."""
        groups: dict[str, list[BlockType]] = {}
        for t in self._types.values():
            groups.setdefault(t.category, []).append(t)
        return groups

    def suggest(self, name: str) -> str | None:
        """The closest known block name to a mistyped one."""
        found = difflib.get_close_matches(name, list(self._types), n=1, cutoff=0.6)
        return found[0] if found else None


_default: Registry | None = None
_lock = threading.Lock()


def default_registry() -> Registry:
    """The built-in blocks plus every installed plugin's, loaded once on first use."""
    global _default
    with _lock:
        if _default is None:
            _import_builtins()
            _load_plugins()
            _default = Registry(DECLARED.values())
        return _default


def _import_builtins() -> None:
    import engine.blocks as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{pkg.__name__}.{info.name}")


def _load_plugins() -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        before = set(DECLARED)
        try:
            loaded = ep.load()
            if callable(loaded) and not isinstance(loaded, type):
                loaded()  # a register() function; modules declare their blocks on import
        except Exception as exc:  # a broken plugin (or one reusing a block name) must not take Flowdeck down
            for added in set(DECLARED) - before:  # skipped whole: none of its blocks half-registered
                del DECLARED[added]
            log.warning("block plugin %r could not be loaded: %s", ep.name, exc)
