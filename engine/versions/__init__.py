"""Local version history of workflow files: every save (and every run of a changed file) keeps a version.

- ``store``: the versions database in the user's data folder (SQLite; contents deduplicated by their SHA-256).
- ``diff``: what changed between two versions: steps added, removed and changed (over the parsed YAML), and the text.
"""

from engine.versions.diff import Row, WorkflowDiff, compare, side_by_side, text_diff
from engine.versions.store import (
    KEEP_DAYS,
    KEEP_LATEST,
    Version,
    VersionStore,
    default_versions_path,
    record_file,
)

__all__ = [
    "KEEP_DAYS",
    "KEEP_LATEST",
    "Row",
    "Version",
    "VersionStore",
    "WorkflowDiff",
    "compare",
    "default_versions_path",
    "record_file",
    "side_by_side",
    "text_diff",
]
