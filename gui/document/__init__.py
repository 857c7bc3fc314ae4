"""The editor's document: the workflow being edited, its undo stack, and signals the views follow."""

from gui.document.document import STEP_FIELDS, WorkflowDocument

__all__ = ["STEP_FIELDS", "WorkflowDocument"]
