"""Comments a person wrote in a workflow file, kept through load and save.

Each comment is tied to the part of the file it stands with: the lines above a key belong to that key, and a
comment at the end of a line belongs to the first key on that line. Saving writes the YAML from the model, then
puts each comment back beside its key wherever that key now is. A comment whose key is gone (a deleted step)
goes with it; the comments at the very end of the file stay at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from engine.model.workflow import Position

END = ("<end>",)  # the path of the comments after the last line of content
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*\s+(#.*)$")
_AFTER_TOKEN = re.compile(r"\s*(#.*)$")


@dataclass(frozen=True)
class Comment:
    """The comment lines written above a key (without their indentation) and the one at the end of its line."""

    above: tuple[str, ...] = ()
    after: str = ""


Comments = dict[tuple, Comment]


def collect(text: str, positions: dict[tuple, Position], skip_lines: int = 0) -> Comments:
    """The comments of ``text`` by the path they belong to; the first ``skip_lines`` lines (the header) are not
    looked at. ``positions`` are the loader's (1-based line, column) of every key."""
    if "#" not in text:
        return {}
    lines = text.splitlines()
    try:
        content, after = _scan(text, lines)
    except yaml.YAMLError:
        return {}
    owner = _first_key_per_line(positions)
    found: dict[tuple, Comment] = {}
    pending: list[str] = []
    last: tuple | None = None
    for number, line in enumerate(lines[skip_lines:], start=skip_lines):
        if number not in content:
            if line.strip().startswith("#"):
                pending.append(line.strip())
            continue
        path = owner.get(number)
        if path is None:  # a line inside a value (a list item): its comment joins its key's, the ones above wait
            if number in after and last is not None:
                kept = found.get(last, Comment())
                found[last] = Comment(kept.above, f"{kept.after} {after[number]}".strip())
            continue
        last = path
        if pending or number in after:
            found[path] = Comment(tuple(pending), after.get(number, ""))
            pending = []
    if pending:
        found[END] = Comment(tuple(pending))
    return found


def _scan(text: str, lines: list[str]) -> tuple[set[int], dict[int, str]]:
    """Which (0-based) lines hold YAML content, and the comment at the end of each line that has one."""
    content: set[int] = set()
    last_col: dict[int, int] = {}
    block_headers: dict[int, int] = {}
    for token in yaml.scan(text, Loader=_Loader):
        start, end = token.start_mark, token.end_mark
        if start.index == end.index:
            continue
        last = end.line - 1 if end.column == 0 and end.line > start.line else end.line
        content.update(range(start.line, last + 1))
        if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
            block_headers[start.line] = start.column
        elif end.line == last:
            last_col[last] = max(last_col.get(last, 0), end.column)
    after: dict[int, str] = {}
    for number, col in last_col.items():
        match = _AFTER_TOKEN.match(lines[number], col)
        if match:
            after[number] = match.group(1)
    for number, col in block_headers.items():
        match = _BLOCK_HEADER.match(lines[number], col)
        if match:
            after[number] = match.group(1)
    return content, after


def _first_key_per_line(positions: dict[tuple, Position]) -> dict[int, tuple]:
    """0-based line -> the path of the key that starts first on it (the outermost one)."""
    best: dict[int, tuple[int, tuple]] = {}
    for path, (line, col) in positions.items():
        if not path:
            continue
        seen = best.get(line - 1)
        if seen is None or col < seen[0]:
            best[line - 1] = (col, path)
    return {line: path for line, (_col, path) in best.items()}


def renamed(comments: Comments, old: tuple, new: tuple) -> Comments:
    """``comments`` with the paths under ``old`` moved under ``new`` (a step renamed keeps its comments)."""
    n = len(old)
    return {(new + path[n:] if path[:n] == old else path): comment for path, comment in comments.items()}


def apply(text: str, comments: Comments, positions: dict[tuple, Position]) -> str:
    """``text`` (as saving wrote it) with each comment put back beside its key; ``positions`` are the keys of
    ``text``. A comment that would change what the file means (it never should) is left out rather than risked."""
    if not comments:
        return text
    lines = text.splitlines()
    above: dict[int, tuple[str, ...]] = {}
    after: dict[int, str] = {}
    for path, comment in comments.items():
        if path == END:
            continue
        position = positions.get(path)
        if position is None:
            continue
        number = position[0] - 1
        if comment.above:
            above[number] = comment.above
        if comment.after:
            after[number] = comment.after
    out = _merge(lines, above, after)
    tail = comments.get(END)
    if tail is not None:
        out.extend(tail.above)
    result = "\n".join(out) + "\n"
    if after and not _same_data(result, text):
        return apply(text, {p: Comment(c.above) for p, c in comments.items()}, positions)
    return result


def _merge(lines: list[str], above: dict[int, tuple[str, ...]], after: dict[int, str]) -> list[str]:
    out: list[str] = []
    for number, line in enumerate(lines):
        if number in above:
            indent = line[: len(line) - len(line.lstrip(" "))]
            out.extend(indent + comment for comment in above[number])
        out.append(f"{line}  {after[number]}" if number in after else line)
    return out


def _same_data(one: str, other: str) -> bool:
    def load(text: str) -> Any:
        return yaml.load(text, Loader=_Loader)

    try:
        return load(one) == load(other)
    except yaml.YAMLError:
        return False
