"""Reading a workflow file: bytes, YAML, model, and every problem with its file, line and column."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from engine.io.comments import collect
from engine.io.hints import reset_hints
from engine.io.parse import parse_document
from engine.io.problems import Problem, WorkflowError, errors
from engine.io.validate import validate
from engine.io.yamlload import MAX_FILE_BYTES, _too_big, decode, parse_yaml, paused_gc
from engine.model.workflow import Workflow
from engine.registry.blocks import Registry

MAX_PROBLEMS = 100  # problems listed for one file; the rest are counted in one line


def _header(text: str) -> str:
    """The comment lines at the very top of the file, which saving keeps."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            lines.append(line)
        else:
            break
    return "\n".join(lines)


def _with_file(problems: list[Problem], name: str | None) -> list[Problem]:
    return [dataclasses.replace(p, file=name) if p.file is None else p for p in problems]


def read_text(
    text: str, filename: str | None = None, registry: Registry | None = None, *, check: bool = True
) -> tuple[Workflow | None, list[Problem]]:
    """Parse and (with ``check``) validate YAML text. Never raises for bad input."""
    with paused_gc():
        return _read_text(text, filename, registry, check)


def _read_text(
    text: str, filename: str | None, registry: Registry | None, check: bool
) -> tuple[Workflow | None, list[Problem]]:
    reset_hints()
    data, problems = parse_yaml(text)
    if data is None:
        return None, _with_file(problems, filename)
    wf, found = parse_document(data)
    problems += found
    wf.header = _header(text)
    wf.comments = collect(text, wf.positions, len(wf.header.splitlines()))
    if filename:
        wf.source = Path(filename)
    if check:
        problems += validate(wf, registry)
    problems.sort(key=lambda p: (p.line or 0, p.col or 0))
    return wf, _with_file(capped(problems), filename)


def capped(problems: list[Problem]) -> list[Problem]:
    """The first MAX_PROBLEMS problems, then one line counting the rest (an error if any of the rest is one)."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = problems[MAX_PROBLEMS:]
    severity = "error" if any(p.is_error for p in rest) else "warning"
    return [*problems[:MAX_PROBLEMS], Problem(f"… and {len(rest):,} more problems", severity=severity)]


def read_file(
    path: str | os.PathLike[str], registry: Registry | None = None, *, check: bool = True
) -> tuple[Workflow | None, list[Problem]]:
    """Read a workflow file; returns the workflow (None if unreadable) and every problem found."""
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
        if size > MAX_FILE_BYTES:
            return None, _with_file([_too_big(size)], name)
        with open(name, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None, [Problem("no such file", file=name)]
    except IsADirectoryError:
        return None, [Problem("this is a folder, not a workflow file", file=name)]
    except PermissionError:
        return None, [Problem("permission denied: Flowdeck may not read this file", file=name)]
    except OSError as exc:
        return None, [Problem(f"cannot read the file: {exc.strerror or exc}", file=name)]
    text, problem = decode(data)
    if problem is not None:
        return None, _with_file([problem], name)
    return read_text(text, name, registry, check=check)


def load_workflow(path: str | os.PathLike[str], registry: Registry | None = None) -> Workflow:
    """Load a valid workflow or raise WorkflowError listing every error (warnings are not errors)."""
    wf, problems = read_file(path, registry)
    if wf is None or errors(problems):
        raise WorkflowError(errors(problems) or problems)
    return wf
