"""Problems found in a workflow, each pointing at a file, line and column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.errors import FlowdeckError

FIX_KINDS = ("value", "rename")


@dataclass(frozen=True)
class Fix:
    """A change that mends a problem, for an editor to offer as one click ("Change to http.request").

    ``kind`` "value" sets the value at ``path`` to ``value``; "rename" renames the key at ``path`` (a parameter, a
    port) to ``value``, keeping its value and place."""

    label: str
    path: tuple
    value: str
    kind: str = "value"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a workflow."""

    message: str
    line: int | None = None
    col: int | None = None
    file: str | None = None
    severity: str = "error"  # "error" or "warning"
    path: tuple = ()  # where in the model: ("steps", "save", "with", "path")
    fix: Fix | None = field(default=None, compare=False)  # a likely mend (a typo's did-you-mean), if any

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def step(self) -> str | None:
        """The step this problem belongs to, for marking it on the canvas."""
        if len(self.path) >= 2 and self.path[0] in ("steps", "layout"):
            return str(self.path[1])
        return None

    def __str__(self) -> str:
        where = self.file or "<workflow>"
        if self.line is not None:
            where += f":{self.line}:{self.col or 1}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


class WorkflowError(FlowdeckError):
    """A workflow file could not be loaded; ``problems`` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
