"""Safe YAML reading that remembers where everything was written.

Mappings load as :class:`MarkedDict` and sequences as :class:`MarkedList`, which carry the 1-based
line and column of each key and item. Duplicate keys, alias bombs, binary data and oversized
files are reported as problems instead of exceptions.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from engine.io.problems import Problem
from engine.model.workflow import MAX_STEP_ID, MAX_STEPS

MAX_FILE_BYTES = 8 * 1024 * 1024  # a 1,000-step workflow is ~150 KB; anything this big is a mistake
MAX_EXPANDED_NODES = 250_000  # what aliases may expand to; a 'billion laughs' file goes far beyond
# The text aliases may expand to: more than any file may hold (MAX_FILE_BYTES), far less than a 1 MB text aliased
# 2,000 times (2 GB).
MAX_EXPANDED_BYTES = 10 * 1024 * 1024

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class MarkedDict(dict):
    """A mapping that knows where it and each of its keys were written."""

    __slots__ = ("key_marks", "mark", "value_marks")

    def __init__(self) -> None:
        super().__init__()
        self.mark: tuple[int, int] = (1, 1)
        self.key_marks: dict[Any, tuple[int, int]] = {}
        self.value_marks: dict[Any, tuple[int, int]] = {}


class MarkedList(list):
    """A sequence that knows where it and each of its items were written."""

    __slots__ = ("item_marks", "mark")

    def __init__(self) -> None:
        super().__init__()
        self.mark: tuple[int, int] = (1, 1)
        self.item_marks: list[tuple[int, int]] = []


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader (libyaml's when present) that records marks and collects duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[Problem] = []

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        # Called for every node while composing. Most plain scalars start with a letter no implicit
        # type (bool, int, null, float...) can start with: answer those at once.
        if kind is yaml.ScalarNode:
            if implicit[0] and (not value or value[0] in _RESOLVABLE_FIRST):
                return super().resolve(kind, value, implicit)
            return _STR
        return _MAP if kind is yaml.MappingNode else _SEQ

    def build(self, node: yaml.Node, shared: dict[int, Any] | None) -> Any:
        """Construct ``node`` directly: much faster than PyYAML's generic path for plain data.

        ``shared`` memoises nodes when the text has anchors (an alias is the same node object).
        Self-referencing aliases are refused before this runs, so plain recursion is safe.
        """
        if shared is not None:
            key = id(node)
            if key in shared:
                return shared[key]
        tag = node.tag
        if tag == _STR:
            value: Any = node.value
        elif tag == _MAP:
            value = self._build_mapping(node, shared)
        elif tag == _SEQ:
            value = MarkedList()
            value.mark = _mark(node)
            value.extend(self.build(item, shared) for item in node.value)
            value.item_marks = [_mark(item) for item in node.value]
        elif tag == _TIMESTAMP:
            value = node.value  # dates stay text, exactly as written
        else:
            value = self.construct_object(node, deep=True)  # ints, floats, bools, null; unknown tags raise
        if shared is not None:
            shared[id(node)] = value
        return value

    def _build_mapping(self, node: yaml.MappingNode, shared: dict[int, Any] | None) -> MarkedDict:
        result = MarkedDict()
        result.mark = _mark(node)
        if shared is not None:
            self.flatten_mapping(node)  # merge keys ('<<') need anchors too
        key_marks, value_marks = result.key_marks, result.value_marks
        for key_node, value_node in node.value:
            key = key_node.value if key_node.tag in _TEXT_KEY_TAGS else self.build(key_node, shared)
            if not isinstance(key, str | int | float | bool) and key is not None:
                self.problems.append(Problem("a key must be plain text", *_mark(key_node)))
                continue
            if key in result:
                first = key_marks[key]
                self.problems.append(
                    Problem(f"duplicate key '{key}' (first written at line {first[0]})", *_mark(key_node))
                )
                continue
            result[key] = self.build(value_node, shared)
            mark = key_node.start_mark
            key_marks[key] = (mark.line + 1, mark.column + 1)
            mark = value_node.start_mark
            value_marks[key] = (mark.line + 1, mark.column + 1)
        return result


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# YAML 1.1 reads the keys `on:`, `off:`, `yes:`, `no:` and `~:` as booleans/null; a key is a name, so keep its text
# (`retry: {on: [http]}` must mean the key "on", as GitHub Actions users expect).
_TEXT_KEY_TAGS = frozenset((_STR, "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"))
_RESOLVABLE_FIRST = frozenset(k for k in _BaseLoader.yaml_implicit_resolvers if k)


def _check_expansion(root: yaml.Node) -> None:
    """Raise _TooBig when aliases expand the document beyond MAX_EXPANDED_NODES values or MAX_EXPANDED_BYTES of
    text, _RecursiveAlias when one contains itself. Memoised per node, so a bomb is measured, never expanded."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, characters of text) once expanded
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            count = 1 + sum(sizes[id(c)][0] for c in children)
            text = len(node.value) if isinstance(node, yaml.ScalarNode) else sum(sizes[id(c)][1] for c in children)
            sizes[key] = (count, text)
            if count > MAX_EXPANDED_NODES:
                raise _TooBig(node, f"more than {MAX_EXPANDED_NODES:,} values")
            if text > MAX_EXPANDED_BYTES:
                raise _TooBig(node, f"more than {MAX_EXPANDED_BYTES // 1048576} MB of text")
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _RecursiveAlias(node)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, what: str) -> None:
        self.node, self.what = node, what


def _too_many_steps(text: str) -> Problem | None:
    """Refuse a file with more than MAX_STEPS steps before composing it: a 110,000-step file would take seconds
    and hundreds of MB to build and check only to be refused. Reading libyaml's events stops at step MAX_STEPS + 1,
    and runs only when the text has room for that many steps: each entry of a collection starts a line of its own
    or follows a ',', so a file of fewer lines and commas than MAX_STEPS cannot have more steps (a 1,000-step file
    is never read twice)."""
    if text.count("\n") + text.count(",") < MAX_STEPS:
        return None
    events = _BaseLoader(text)
    try:
        return _count_steps(events)
    except yaml.YAMLError:
        return None  # the real parse reports it with its position
    finally:
        events.dispose()


def _count_steps(events: Any) -> Problem | None:
    opened: list[list[Any]] = []  # per open collection: [is_mapping, children so far]
    steps_key: Any = None  # the top-level 'steps' key event
    value_next = False  # the node just read was that key: the next node is the steps collection
    counting = False
    while events.check_event():
        event = events.get_event()
        kind = type(event)
        if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            opened.pop()
            if counting and len(opened) < 2:
                return None  # every step counted, within the limit
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        parent = opened[-1] if opened else None
        if parent is not None:
            if counting and len(opened) == 2 and (not parent[0] or parent[1] % 2 == 0):
                count = parent[1] // 2 + 1 if parent[0] else parent[1] + 1
                if count > MAX_STEPS:
                    return Problem(f"steps: {too_many_steps_text()}", *_event_mark(steps_key))
            parent[1] += 1
        is_top_key = parent is not None and len(opened) == 1 and parent[0] and parent[1] % 2 == 1
        if kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
            opened.append([kind is yaml.MappingStartEvent, 0])
            counting = counting or (value_next and len(opened) == 2)
        value_next = kind is yaml.ScalarEvent and is_top_key and event.value == "steps"
        if value_next:
            steps_key = event
    return None


def too_many_steps_text() -> str:
    return f"more than {MAX_STEPS:,} steps; a workflow holds at most {MAX_STEPS:,} " + (
        "(split the work into workflows that call each other with workflow.run)"
    )


def _event_mark(event: Any) -> tuple[int, int]:
    return (event.start_mark.line + 1, event.start_mark.column + 1) if event is not None else (1, 1)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _RecursiveAlias(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """Bytes to text, or a problem saying why the file is not a readable text file."""
    if len(data) > MAX_FILE_BYTES:
        return None, _too_big(len(data))
    nul = data.find(b"\0")
    if nul >= 0:
        return None, Problem(f"this is not a text file (binary data at byte {nul})", 1, 1)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Problem(f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be read", line, col)


def _too_big(size: int) -> Problem:
    return Problem(
        f"the file is {size / 1048576:.1f} MB; workflow files are limited to "
        f"{MAX_FILE_BYTES // 1048576} MB (is this the right file?)",
        1,
        1,
    )


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects that are all kept.

    A 1,000-step file makes ~30,000 objects; without this, collections triggered mid-load double its time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_yaml(text: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document. Returns (data or None, problems)."""
    if len(text) > MAX_FILE_BYTES:
        return None, [_too_big(len(text))]
    crowded = _too_many_steps(text)
    if crowded is not None:
        return None, [crowded]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem("the file is empty; a workflow needs at least 'name' and 'steps'", 1, 1)]
        anchored = "&" in text  # aliases need anchors; without one the document cannot expand
        try:
            if anchored:
                _check_expansion(node)
        except _RecursiveAlias as rec:
            return None, [Problem("an alias refers to itself; such a value never ends", *_mark(rec.node))]
        except _TooBig as big:
            line, col = _mark(big.node)
            return None, [
                Problem(
                    f"anchors and aliases expand to {big.what} (in the value that starts at line {line}); "
                    "this looks like a YAML bomb and is refused",
                    line,
                    col,
                )
            ]
        data = loader.build(node, {} if anchored else None)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text)]
    except yaml.YAMLError as exc:  # errors without a mark (rare)
        return None, [Problem(f"not valid YAML: {exc}", 1, 1)]
    except RecursionError:
        return None, [Problem("the file nests too deeply to be a workflow", 1, 1)]
    finally:
        loader.dispose()
    return data, loader.problems


_TAG = re.compile(r"could not determine a constructor for the tag '([^']*)'")


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.splitlines()
    return lines[line - 1][col - 1 : col] if 0 < line <= len(lines) else ""


YAML_KEY_LIMIT = 1024  # characters: YAML reads no longer plain (implicit) key


def _long_key(text: str, line: int, col: int, problem: str) -> str | None:
    """A key longer than YAML's limit makes libyaml speak of 'mapping values'; say what is really wrong."""
    if "mapping values" not in problem and "could not find expected ':'" not in problem:
        return None
    lines = text.splitlines()
    before = lines[line - 1][: col - 1] if 0 < line <= len(lines) else ""
    key = before.strip().removeprefix("- ").rstrip(": ")
    if len(key) <= YAML_KEY_LIMIT:
        return None
    return (
        f"a key of {len(key):,} characters: YAML reads keys of at most {YAML_KEY_LIMIT:,} characters "
        f"(and a step id may have at most {MAX_STEP_ID})"
    )


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "not valid YAML"
    if _char_at(text, line, col) == "\t" or "\\t" in problem:
        return Problem("a tab character is used for indentation; YAML needs spaces", line, col)
    long_key = _long_key(text, line, col, problem)
    if long_key:
        return Problem(long_key, line, 1)
    tag = _TAG.search(problem)
    if tag:
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        return Problem(f"the tag '{name}' is not allowed; a workflow file holds plain data only", line, col)
    if not exc.context:
        message = problem
    elif problem.startswith("but "):
        message = f"{exc.context} {problem}"
    else:
        message = f"{problem} {exc.context}"
    if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        message += f" (started at line {exc.context_mark.line + 1})"
    return Problem(f"not valid YAML: {message}", line, col)
