"""The inspector page of one step: header (title, id, block), the block's parameters, and "On error"."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QToolButton, QVBoxLayout, QWidget

from engine.io import Fix
from engine.model.workflow import Step
from engine.registry import MISSING, Kind, Param
from gui.document.commands import apply_fix
from gui.inspector import completion
from gui.inspector.fields import FieldRow
from gui.inspector.widgets import LabelledLine, compact, duration_problem, note, section

if TYPE_CHECKING:
    from gui.document import WorkflowDocument

ON_ERROR = (("fail", "Stop the run"), ("continue", "Continue with the next step"))


class StepPage(QWidget):
    def __init__(
        self,
        document: WorkflowDocument,
        step_id: str,
        parent: QWidget | None = None,
        *,
        previewer: Callable[[Any], Any] | None = None,
        past_run: tuple[str, Any] | None = None,
    ) -> None:
        """``previewer``: renders template fields (gui.inspector.preview); ``past_run``: (run id, this step's
        record in it or None) while the editor shows a past run."""
        super().__init__(parent)
        self.document = document
        self.step_id = step_id
        self.block = document.registry.get(self.step.do)
        self.rows: dict[str, FieldRow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(4)
        self._header(layout)
        self.run_values = None
        if past_run is not None:
            from gui.inspector.run_values import RunValues

            self.run_values = RunValues(*past_run)
            layout.addWidget(self.run_values)
        layout.addWidget(section("Settings"))
        self._params(layout)
        for row in self.rows.values():
            row.set_previewer(previewer)
        layout.addWidget(section("On error"))
        self._on_error(layout)
        self._outputs(layout)  # reference for later steps, so last
        layout.addStretch(1)
        self.refresh()
        self.show_problems()

    @property
    def step(self) -> Step:
        return self.document.workflow.steps[self.step_id]

    # -- building ------------------------------------------------------------------------------
    def _header(self, layout: QVBoxLayout) -> None:
        title = self.block.title if self.block else self.step.do
        self.heading = QLabel(title)
        self.heading.setObjectName("pageTitle")
        self.kind = QLabel(f"{self.step.do}" + (f" · {self.block.category}" if self.block else " · unknown block"))
        self.kind.setObjectName("blockType")
        row = QHBoxLayout()
        row.addWidget(self.heading)
        row.addStretch(1)
        row.addWidget(self.kind)
        layout.addLayout(row)
        if self.block and self.block.help:
            layout.addWidget(note(self.block.help, "fieldHelp"))
        self.general = note(name="stepProblems")  # what no single field below can show
        self.general.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.general)
        self.fixes = QWidget()  # the fixes of those problems ("Change to http.request")
        self.fix_layout = QHBoxLayout(self.fixes)
        self.fix_layout.setContentsMargins(0, 0, 0, 0)
        self.fixes.hide()
        layout.addWidget(self.fixes)
        self.title = LabelledLine("Title", placeholder=title)
        self.title.line.textEdited.connect(lambda t: self._field("title", t))
        self.id_line = LabelledLine("Id", check=self._id_problem, help="Other steps read its output as steps.<id>.")
        self.id_line.line.editingFinished.connect(self._rename)
        self.description = LabelledLine("Description", placeholder="What this step is for (optional)")
        self.description.line.textEdited.connect(lambda t: self._field("description", t))
        for widget in (self.title, self.id_line, self.description):
            layout.addWidget(widget)
        from PySide6.QtWidgets import QCheckBox  # the disabled switch (issue 16, canvas)

        self.disabled = QCheckBox("Disabled (a run passes over it)")
        self.disabled.setObjectName("stepDisabled")
        self.disabled.setToolTip(
            "disabled: true — the step is skipped when the workflow runs; its next step still runs"
        )
        self.disabled.toggled.connect(lambda on: self.document.set_disabled([self.step_id], on))
        layout.addWidget(self.disabled)

    def _params(self, layout: QVBoxLayout) -> None:
        """Required, main and written parameters first; the optional rest folds under "More settings"."""
        declared = list(self.block.params) if self.block else []
        known = {p.name for p in declared}
        extra = [Param(name, Kind.ANY, help="not a parameter of this block") for name in self.step.params]
        more = QWidget()
        more_layout = QVBoxLayout(more)
        more_layout.setContentsMargins(0, 0, 0, 0)
        more_layout.setSpacing(4)
        for param in declared + [p for p in extra if p.name not in known]:
            row = FieldRow(param, self.step.params.get(param.name, MISSING), self._names)
            row.edited.connect(self._param)
            row.fixRequested.connect(self._apply_fix)
            self.rows[param.name] = row
            main = param.required or param.main or param.name in self.step.params
            (layout if main else more_layout).addWidget(row)
        count = more_layout.count()
        self.more = QToolButton()
        self.more.setObjectName("moreButton")
        self.more.setCheckable(True)
        self.more.setAutoRaise(True)
        self.more.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more.toggled.connect(lambda on: self._fold(more, on, count))
        self._fold(more, False, count)
        if count:
            layout.addWidget(self.more)
            layout.addWidget(more)
        if not self.rows:
            layout.addWidget(note("This block has no settings."))

    def _outputs(self, layout: QVBoxLayout) -> None:
        """What later steps can read from this one, written the way they would write it."""
        outputs = list(self.block.outputs) if self.block else []
        if not outputs:
            return
        layout.addWidget(section("Gives"))
        self.outputs = note("", "fieldHelp")
        self.outputs.setTextFormat(Qt.TextFormat.RichText)
        self.outputs.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.outputs)
        self._show_outputs()

    def _show_outputs(self) -> None:
        if not hasattr(self, "outputs") or self.block is None:
            return
        lines = [
            f"<code>{{{{ steps.{self.step_id}.{o.name} }}}}</code>" + (f" — {_esc(o.help)}" if o.help else "")
            for o in self.block.outputs
        ]
        self.outputs.setText("<br>".join(lines))

    def _fold(self, more: QWidget, on: bool, count: int) -> None:
        more.setVisible(on)
        self.more.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.more.setText(f"{'Fewer' if on else 'More'} settings ({count})")

    def _on_error(self, layout: QVBoxLayout) -> None:
        self.attempts = QSpinBox()
        self.attempts.setRange(1, 100)
        self.attempts.setSuffix(" times")
        self.attempts.setSpecialValueText("once (no retry)")
        self.attempts.setMinimumWidth(130)
        self.attempts.setToolTip("How many times the step is tried in all before it counts as failed")
        self.attempts.valueChanged.connect(lambda v: self._retry("attempts", v if v > 1 else MISSING))
        self.backoff = LabelledLine("Wait between attempts", "e.g. 5s (doubles each time)", duration_problem)
        self.backoff.line.textEdited.connect(lambda t: self._retry("backoff", t.strip() or MISSING))
        self.timeout = LabelledLine(
            "Step time limit", "no limit", duration_problem, "Give up on the step after this long."
        )
        self.timeout.line.textEdited.connect(self._timeout)
        self.route = compact(QComboBox())
        self.route.activated.connect(self._route)
        tries = QHBoxLayout()
        tries.addWidget(QLabel("Try"))
        tries.addWidget(self.attempts)
        tries.addStretch(1)
        layout.addLayout(tries)
        layout.addWidget(self.backoff)
        layout.addWidget(self.timeout)
        caption = QLabel("When it still fails")
        caption.setObjectName("fieldLabel")
        layout.addWidget(caption)
        layout.addWidget(self.route)

    # -- model -> widgets ------------------------------------------------------------------------
    def refresh(self) -> None:
        step = self.step
        self.title.set_text(step.title)
        self.id_line.set_text(self.step_id)
        self.description.set_text(step.description)
        self.disabled.blockSignals(True)
        self.disabled.setChecked(step.disabled)
        self.disabled.blockSignals(False)
        for name, row in self.rows.items():
            row.show_value(step.params.get(name, MISSING))
        retry = step.retry or {}
        self.attempts.blockSignals(True)
        self.attempts.setValue(retry.get("attempts", 1) if isinstance(retry.get("attempts"), int) else 1)
        self.attempts.blockSignals(False)
        self.backoff.set_text(_text(retry.get("backoff")))
        self.timeout.set_text(_text(step.timeout))
        self._fill_routes()  # the validator's problems follow on document.problemsChanged (debounced)

    def _fill_routes(self) -> None:
        key = (tuple(self.document.workflow.steps), self.step.on_error)
        if key == getattr(self, "_routes_key", None):
            return  # typing into a field refreshes the page; the choices stay as they are
        self._routes_key = key
        self.route.blockSignals(True)
        self.route.clear()
        for value, text in ON_ERROR:
            self.route.addItem(text, value)
        for sid in self.document.workflow.steps:
            if sid != self.step_id:
                self.route.addItem(f"Go to step “{sid}”", sid)
        index = self.route.findData(self.step.on_error)
        if index < 0:
            self.route.addItem(f"Go to step “{self.step.on_error}” (missing)", self.step.on_error)
            index = self.route.count() - 1
        self.route.setCurrentIndex(index)
        self.route.blockSignals(False)

    def show_problems(self) -> None:
        by_field: dict[tuple, str] = {}
        fixes: dict[tuple, Fix] = {}
        general: list[str] = []
        general_fixes: list[Fix] = []
        shown = {("with", name) for name in self.rows} | {("retry", "backoff"), ("timeout",)}
        for p in self.document.problems():
            if p.step != self.step_id or p.path[:1] != ("steps",):
                continue
            key, message = tuple(p.path[2:4]), p.message.split(": ", 1)[-1]
            if key in shown:
                by_field.setdefault(key, message)
                if p.fix is not None:
                    fixes.setdefault(key, p.fix)
            else:
                if p.fix is not None:
                    general_fixes.append(p.fix)
                colour = "#d9534f" if p.is_error else "#d08a1c"
                general.append(f"<span style='color:{colour}'>{'⚠' if not p.is_error else '✗'} {_esc(message)}</span>")
        self.general.setText("<br>".join(general))
        self.general.setVisible(bool(general))
        self._show_fixes(general_fixes)
        for name, row in self.rows.items():
            row.show_problem(by_field.get(("with", name)), fixes.get(("with", name)))
        self.backoff.show_problem(self.backoff.validate() or by_field.get(("retry", "backoff")))
        self.timeout.show_problem(self.timeout.validate() or by_field.get(("timeout",)))

    def _show_fixes(self, found: list[Fix]) -> None:
        layout = self.fix_layout
        while layout.count():
            widget = layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for fix in found:
            button = QToolButton()
            button.setObjectName("fixButton")
            button.setText(fix.label)
            button.setToolTip(f"{fix.label} (can be undone)")
            button.clicked.connect(lambda _checked=False, f=fix: self._apply_fix(f))
            layout.addWidget(button)
        if found:
            layout.addStretch(1)
        self.fixes.setVisible(bool(found))

    # -- widgets -> model ------------------------------------------------------------------------
    def _apply_fix(self, fix: Fix) -> None:
        apply_fix(self.document, fix)

    def _names(self) -> list[str]:
        return completion.expressions(self.document.workflow, self.document.registry, self.step_id)

    def _param(self, name: str, value: Any) -> None:
        self.document.set_param(self.step_id, name, value)

    def _field(self, field: str, value: Any) -> None:
        self.document.set_step_field(self.step_id, field, value)

    def _retry(self, key: str, value: Any) -> None:
        if key == "backoff" and self.backoff.validate():
            return
        retry = dict(self.step.retry or {})
        if value is MISSING:
            retry.pop(key, None)
        else:
            retry[key] = value
        self._field("retry", retry or None)

    def _timeout(self, text: str) -> None:
        if self.timeout.validate() is None:
            self._field("timeout", text.strip() or None)

    def _route(self, index: int) -> None:
        self._field("on_error", self.route.itemData(index))

    def _id_problem(self, text: str) -> str | None:
        return self.document.rename_problem(self.step_id, text) if text != self.step_id else None

    def _rename(self) -> None:
        new = self.id_line.text()
        if new == self.step_id or self.id_line.validate():
            return
        self.document.rename_step(self.step_id, new)  # the inspector follows stepRenamed


def _esc(text: str) -> str:
    import html

    return html.escape(text)


def _text(value: Any) -> str:
    return "" if value is None else str(value)
