"""Workflow files: loading with positions, validation, migrations and atomic saving."""

from engine.io.load import load_workflow, read_file, read_text
from engine.io.problems import Fix, Problem, WorkflowError, errors
from engine.io.save import atomic_write, dumps, save_workflow
from engine.io.validate import validate

__all__ = [
    "Fix",
    "Problem",
    "WorkflowError",
    "atomic_write",
    "dumps",
    "errors",
    "load_workflow",
    "read_file",
    "read_text",
    "save_workflow",
    "validate",
]
