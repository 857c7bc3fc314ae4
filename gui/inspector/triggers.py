"""The triggers list of the workflow settings page: one card per trigger, add and remove.

Every edit hands a new list of new Trigger objects to the document (the model is never changed in place).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.io.triggers import WATCH_EVENTS, check_trigger
from engine.model.workflow import Trigger
from engine.scheduling.describe import describe_trigger
from gui.inspector import desktop_triggers as desktop
from gui.inspector.not_armed import NOTES
from gui.inspector.widgets import LabelledLine, note

# (menu text, kind, options of a new trigger of that kind)
NEW = (
    ("Schedule (cron)", "schedule", {"cron": "0 8 * * mon-fri"}),
    ("Every…", "schedule", {"every": "10m"}),
    ("Once at…", "schedule", {"at": "2026-12-01 09:00"}),
    ("Watch a folder", "watch", {"path": "~/Downloads", "pattern": "*.pdf"}),
    ("Webhook", "webhook", {"path": "my-hook"}),
    ("At startup", "startup", {}),
    *desktop.NEW,
)
# A card's title: the same words as the Add trigger menu and the history's "folder watch"
TITLES = {"schedule": "Schedule", "watch": "Watch a folder", "webhook": "Webhook", "startup": "At startup"}
# Which options a card edits, by kind: (option, caption, placeholder)
FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "watch": (("path", "Folder", "~/Downloads"), ("pattern", "File pattern", "*.pdf")),
    "webhook": (("path", "Name in the URL (/hook/<name>)", "my-hook"),),
    **desktop.FIELDS,
}
# the check boxes of a card: kind -> (option, choices, default when the option is not written)
EVENTS = {"watch": ("events", WATCH_EVENTS, ["created"]), **desktop.EVENTS}
_SCHEDULE = {"cron": ("Cron", "minute hour day month weekday"), "every": ("Every", "10m"), "at": ("At", "")}


def next_times(trigger: Trigger, count: int = 5, path: Path | None = None) -> list[datetime]:
    """The next ``count`` fire times of a schedule trigger as the scheduler will fire them (empty if invalid): an
    ``every`` of a saved, armed file keeps the rhythm the scheduler remembers for it (counted from its last fire)."""
    from engine.scheduling.jobs import make_trigger, next_fires

    try:
        zone = make_trigger(trigger).timezone
        return next_fires(trigger, _seen(trigger, path), datetime.now(zone), count)
    except (ValueError, TypeError, LookupError, OverflowError):
        return []


def _seen(trigger: Trigger, path: Path | None) -> datetime | None:
    """Up to when the scheduler has handled ``trigger`` of ``path`` (read from its state file; None: not armed)."""
    if path is None or "every" not in trigger.options:
        return None
    from engine.scheduling.jobs import trigger_key
    from engine.scheduling.service import _default_state_dir
    from engine.scheduling.state import SchedulerState

    return SchedulerState(_default_state_dir()).seen(trigger_key(Path(path).resolve(), trigger))


def times_text(times: list[datetime]) -> str:
    """Fire times to read at a glance; with seconds when they are less than a minute apart (or off the minute)."""
    seconds = any(t.second for t in times) or any((b - a).total_seconds() < 60 for a, b in itertools.pairwise(times))
    return ", ".join(t.strftime("%a %d %b %H:%M:%S" if seconds else "%a %d %b %H:%M") for t in times)


class TriggerCard(QFrame):
    """Edits one trigger; ``changed(index, Trigger, typing)`` and ``removed(index)`` go to the list.

    ``typing`` names the option typed into (consecutive keystrokes there merge into one undo step), or None.
    """

    changed = Signal(int, object, object)
    removed = Signal(int)

    def __init__(self, index: int, trigger: Trigger, path: Callable[[], Path | None] = lambda: None) -> None:
        super().__init__()
        self.index = index
        self._path = path
        self.kind = trigger.kind
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.lines: dict[str, LabelledLine] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("fieldLabel")
        remove = QToolButton()
        remove.setText("✕")
        remove.setAutoRaise(True)
        remove.setToolTip("Remove this trigger")
        remove.clicked.connect(lambda: self.removed.emit(self.index))
        top.addWidget(self.title, 1)
        top.addWidget(remove)
        layout.addLayout(top)
        for key, caption, placeholder in self._fields(trigger):
            line = LabelledLine(caption, placeholder)
            line.line.textEdited.connect(lambda _t, k=key: self._edited(typing=k))
            self.lines[key] = line
            layout.addWidget(line)
        self.events: dict[str, QCheckBox] = {}
        if self.kind in EVENTS:
            layout.addLayout(self._event_boxes())
        if self.kind == "hotkey":
            self.recorder = desktop.HotkeyRecorder()
            self.recorder.recorded.connect(lambda keys: (self.lines["keys"].set_text(keys), self._edited()))
            layout.addWidget(self.recorder)
        self.words = note()
        layout.addWidget(self.words)
        if self.kind in desktop.KINDS:  # the app may not arm it (a hotkey another program holds): said under it
            NOTES.changed.connect(self._describe)
        self.show_trigger(trigger)

    def _event_boxes(self) -> QGridLayout:
        """When a file is created, modified, deleted or moved (created alone is the default); two a row."""
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        for i, event in enumerate(EVENTS[self.kind][1]):
            box = QCheckBox(event)
            box.toggled.connect(lambda _on: self._edited())
            self.events[event] = box
            grid.addWidget(box, i // 2, i % 2)
        grid.setColumnStretch(2, 1)
        return grid

    def _fields(self, trigger: Trigger) -> list[tuple[str, str, str]]:
        if self.kind == "schedule":
            key = next((k for k in _SCHEDULE if k in trigger.options), "cron")
            return [(key, *_SCHEDULE[key]), ("timezone", "Time zone (optional)", "local time, or e.g. Europe/Paris")]
        return list(FIELDS.get(self.kind, ()))

    def same_shape(self, trigger: Trigger) -> bool:
        return trigger.kind == self.kind and [k for k, *_ in self._fields(trigger)] == list(self.lines)

    def show_trigger(self, trigger: Trigger) -> None:
        self.trigger = trigger
        for key, line in self.lines.items():
            line.set_text(str(trigger.options.get(key, "")))
        key, _choices, default = EVENTS.get(self.kind, ("events", (), ["created"]))
        chosen = trigger.options.get(key, default)
        chosen = [chosen] if isinstance(chosen, str) else chosen
        for event, box in self.events.items():
            box.blockSignals(True)
            box.setChecked(event in chosen)
            box.blockSignals(False)
        self._describe()

    def _edited(self, typing: str | None = None) -> None:
        options = dict(self.trigger.options)
        for i, (key, line) in enumerate(self.lines.items()):
            if line.text() or i == 0:
                options[key] = line.text()
            else:  # an emptied optional field is not written at all
                options.pop(key, None)
        if self.events:
            key, _choices, default = EVENTS[self.kind]
            chosen = [event for event, box in self.events.items() if box.isChecked()]
            if chosen == default:
                options.pop(key, None)  # the default, not written
            else:
                options[key] = chosen
        self.trigger = Trigger(self.kind, options)
        self._describe()
        self.changed.emit(self.index, self.trigger, (self.index, typing) if typing else None)

    def _describe(self) -> None:
        found = [(f[0], f[1]) for f in check_trigger(self.trigger)]  # (option, message[, severity])
        self.title.setText(TITLES.get(self.kind, self.kind.capitalize()))
        for key, line in self.lines.items():
            line.show_problem(next((m for k, m in found if k == key), None))
        general = [m for k, m in found if k is None or k not in self.lines]
        if general:
            self.words.setText(f"<span style='color:#d9534f'>{html.escape('; '.join(general))}</span>")
            return
        text = describe_trigger(self.trigger)
        text = text[:1].upper() + text[1:]
        if self.kind == "schedule":
            times = next_times(self.trigger, path=self._path())
            if times:
                text += "<br>Next: " + times_text(times)
        why = NOTES.reason(self._path(), self.trigger) if self.kind in desktop.KINDS else None
        if why:
            from gui.shell.banner import warning_text

            text += f"<br><span style='color:{warning_text()}'>⚠ Not armed: {html.escape(why)}</span>"
        self.words.setText(text)


class TriggerList(QWidget):
    """The cards plus an "Add trigger" menu button; ``edited(list[Trigger], typing)`` carries the new list."""

    edited = Signal(object, object)

    def __init__(self, triggers: Callable[[], list[Trigger]], path: Callable[[], Path | None] = lambda: None) -> None:
        super().__init__()
        self._triggers = triggers
        self._path = path
        self.cards: list[TriggerCard] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(6)
        self.empty = note("No triggers: the workflow runs when you press Run.")
        self.column.addWidget(self.empty)
        self.add = QPushButton("Add trigger")  # a push button leaves room for its menu's arrow (a tool button's
        self.add.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)  # arrow sat on the text)
        menu = QMenu(self.add)
        for text, kind, options in NEW:
            menu.addAction(text, lambda k=kind, o=options: self._add(k, o))
        self.add.setMenu(menu)
        self.column.addWidget(self.add)
        self.refresh()

    def refresh(self) -> None:
        triggers = self._triggers()
        if len(triggers) == len(self.cards) and all(c.same_shape(t) for c, t in zip(self.cards, triggers, strict=True)):
            for card, trigger in zip(self.cards, triggers, strict=True):
                if card.trigger != trigger:
                    card.show_trigger(trigger)
            return
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        for i, trigger in enumerate(triggers):
            card = TriggerCard(i, trigger, self._path)
            card.changed.connect(self._changed)
            card.removed.connect(self._removed)
            self.column.insertWidget(i, card)
            self.cards.append(card)
        self.empty.setVisible(not triggers)

    def _copy(self) -> list[Trigger]:
        return [Trigger(t.kind, dict(t.options)) for t in self._triggers()]

    def _add(self, kind: str, options: dict[str, Any]) -> None:
        self.edited.emit([*self._copy(), Trigger(kind, dict(options))], None)

    def _changed(self, index: int, trigger: Trigger, typing: Any) -> None:
        new = self._copy()
        new[index] = trigger
        self.edited.emit(new, typing)

    def _removed(self, index: int) -> None:
        new = self._copy()
        del new[index]
        self.edited.emit(new, None)
