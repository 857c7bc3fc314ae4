"""The run table behind the history page: a Qt model that pages runs in from SQLite as the view scrolls.

Only the rows seen so far live in memory (200 per page), so a history of 100,000 runs opens as fast as one of 10.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from engine.errors import LONG, one_line
from gui.shell.icons import status_icon

PAGE = 200
COLUMNS = ("Status", "Workflow", "Version", "Started", "Duration", "Started by", "Result")
STATUS, WORKFLOW, VERSION, STARTED, DURATION, SOURCE, RESULT = range(len(COLUMNS))
RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class RunFilter:
    workflow: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def query(self) -> dict[str, Any]:
        """Keyword arguments for History.runs(); times as epoch seconds, as the history stores them."""
        out: dict[str, Any] = {k: v for k, v in vars(self).items() if v is not None}
        for key in ("since", "until"):
            if key in out:
                out[key] = out[key].timestamp()
        return out


def get(record: Any, name: str, default: Any = None) -> Any:
    """A field of a history record (object or mapping)."""
    if isinstance(record, dict):
        return record.get(name, default)
    return getattr(record, name, default)


def step_name(step: Any) -> str:
    for key in ("step_id", "step", "id", "name"):
        value = get(step, key)
        if value:
            return str(value)
    return "?"


def step_status(step: Any) -> str:
    """A step's status as recorded, or worked out from its error."""
    status = get(step, "status")
    if status:
        return str(status)
    return "failed" if get(step, "error") else "succeeded"


def timestamp(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


_SHORT = {"manual": "you", "cli": "command line", "rerun": "re-run", "watch": "folder watch", "startup": "app start"}
_SOURCES = {
    "manual": "by hand",
    "cli": "from the command line",
    "rerun": "as a re-run",
    "tray": "from the tray",
    "watch": "by a folder watch",
}


def source_text(source: str | None) -> str:
    """How a run was started, in words: 'by hand', 'by schedule', 'by webhook'..."""
    if not source:
        return "somehow (not recorded)"
    return _SOURCES.get(source, f"by {source}")


def version_text(record: Any) -> str:
    """The version of its file the run ran (engine.versions: File ▸ Version History…), as ``v3``; '' if unknown."""
    number = get(record, "version")
    return f"v{number}" if number else ""


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 0.001:
        return "<1 ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def run_duration(record: Any) -> float | None:
    value = get(record, "duration")
    if value is not None:
        return float(value)
    start, end = timestamp(get(record, "started")), timestamp(get(record, "finished"))
    return end - start if start is not None and end is not None else None


def error_message(record: Any) -> str:
    error = get(record, "error")
    if isinstance(error, dict):
        where = f"{error.get('step')}: " if error.get("step") else ""
        return one_line(where + str(error.get("message", "")), LONG)
    return one_line(error or "", LONG)


class RunsModel(QAbstractTableModel):
    """Runs, newest first, loaded a page at a time through ``canFetchMore``/``fetchMore``."""

    def __init__(self, history: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.history = history
        self.filter = RunFilter()
        self.records: list[Any] = []
        self._exhausted = False

    # -- loading -------------------------------------------------------------------------------
    def set_filter(self, run_filter: RunFilter) -> None:
        self.beginResetModel()
        self.filter = run_filter
        self.records = []
        self._exhausted = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def reload(self) -> None:
        self.set_filter(self.filter)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        page = self.history.runs(**self.filter.query(), limit=PAGE, offset=len(self.records))
        self._exhausted = len(page) < PAGE
        if page:
            self.beginInsertRows(QModelIndex(), len(self.records), len(self.records) + len(page) - 1)
            self.records.extend(page)
            self.endInsertRows()

    def refresh_head(self) -> None:
        """Take in runs that appeared or changed at the top since the last load, without losing the scroll."""
        head = self.history.runs(**self.filter.query(), limit=PAGE, offset=0)
        known = {get(r, "run_id"): i for i, r in enumerate(self.records[: PAGE * 2])}
        fresh = [r for r in head if get(r, "run_id") not in known]
        for record in head:
            i = known.get(get(record, "run_id"))
            if i is not None and record != self.records[i]:
                self.records[i] = record
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
        if fresh:
            self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
            self.records[:0] = fresh
            self.endInsertRows()

    # -- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self.records[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, col)
        if role == Qt.ItemDataRole.DecorationRole and col == STATUS:
            return status_icon(str(get(record, "status", "")))
        if role == Qt.ItemDataRole.ToolTipRole and col == VERSION and get(record, "version"):
            return "The version of the workflow file this run ran (File ▸ Version History…)"
        if role == Qt.ItemDataRole.ToolTipRole and col == RESULT:
            return error_message(record) or None
        if role == RUN_ID_ROLE:
            return get(record, "run_id")
        if role == RECORD_ROLE:
            return record
        return None

    def _text(self, record: Any, col: int) -> str:
        if col == STATUS:
            return str(get(record, "status", ""))
        if col == WORKFLOW:
            return str(get(record, "workflow", ""))
        if col == VERSION:
            return version_text(record)
        if col == STARTED:
            ts = timestamp(get(record, "started"))
            return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else "—"
        if col == DURATION:
            return duration_text(run_duration(record))
        if col == SOURCE:
            source = str(get(record, "source", "") or "")
            return _SHORT.get(source, source)
        return error_message(record).splitlines()[0] if error_message(record) else ""

    def row_of(self, run_id: str) -> int:
        return next((i for i, r in enumerate(self.records) if get(r, "run_id") == run_id), -1)
