"""Live previews: a template field's value rendered against the workflow's last run, shown under the field.

The values come from the run history (each step's output, the run's trigger) with the pinned outputs over them, and
the workflow's vars; they are read once per document or finished run, never per key press. Rendering uses the
engine's own sandboxed renderer with its limits, plus a deadline well inside one frame, so a preview never runs a
step's side effect and never holds up typing. Secrets are never shown: ``secrets.x`` previews as dots.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QWidget

from engine.runtime.history_rows import TRUNCATED
from gui.elided import ElidedLabel

NO_RUN = "no run yet — run once to preview"
DEADLINE = 0.012  # seconds a preview may render; longer stops with a line saying so (typing stays smooth)
LINE_CHARS = 400  # characters of a value worked out for the line (the width elides it further)
TIP_CHARS = 4000  # and for its tooltip
MASK = "••••••"
CUT = TRUNCATED.split("{")[0]  # how the history ends a value it kept cut


class _Masked(Mapping[str, str]):
    """``secrets``: every name reads as dots, so a preview never reads the keyring or shows a secret."""

    def __getitem__(self, name: str) -> str:
        return MASK

    def __contains__(self, name: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@dataclass
class PreviewData:
    """What templates are rendered against: one run's values (and the pins), prepared once."""

    steps: dict[str, Any]
    trigger: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)
    known_steps: frozenset[str] = frozenset()  # the workflow's steps (one that did not run is not a typo)
    run_id: str | None = None

    def context(self) -> dict[str, Any]:
        from engine.runtime import bounds
        from engine.runtime.context import env_snapshot

        return {
            "vars": self.vars,
            "steps": self.steps,
            "trigger": self.trigger,
            "env": env_snapshot(),
            "secrets": _Masked(),
            "now": datetime.now(),
            "run": self.run,  # no loop, no error: they have values only while a step runs (said so when read)
            bounds.LIMITS: (time.monotonic() + DEADLINE, _SLOW, None),
        }


_SLOW = f"the preview took longer than {DEADLINE * 1000:.0f} ms and was stopped (the step will compute it)"


def preview_data(workflow: Any, record: Any = None, pins: Mapping[str, Any] | None = None) -> PreviewData | None:
    """The values to preview ``workflow``'s templates with: ``record``'s (a RunRecord) with ``pins`` over them;
    None when there is neither a run nor a pin."""
    from engine.runtime.plan import thaw

    pins = pins or {}
    if record is None and not pins:
        return None
    steps = {s.step: s.output for s in (record.steps if record is not None else []) if s.status == "succeeded"}
    steps.update({step: pin.get("output") for step, pin in pins.items()})
    return PreviewData(
        steps=steps,
        trigger=dict(record.trigger or {}) if record is not None else {},
        vars=dict(thaw(workflow.vars)) if workflow.vars else {},
        run={"id": record.run_id, "workflow": workflow.name, "source": record.source} if record is not None else {},
        known_steps=frozenset(workflow.steps),
        run_id=record.run_id if record is not None else None,
    )


@dataclass(frozen=True)
class Preview:
    line: str  # one line, shown under the field (elided to its width)
    tip: str  # the whole value (up to TIP_CHARS)
    error: bool = False


def templates_in(value: Any) -> Iterator[str]:
    """The texts holding a template in ``value``: itself, or those inside a list or mapping (headers, a form)."""
    if isinstance(value, str):
        if "{{" in value or "{%" in value:
            yield value
    elif isinstance(value, list):
        for item in value:
            yield from templates_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from templates_in(item)


def is_template(value: Any) -> bool:
    return next(templates_in(value), None) is not None


def render_preview(template: Any, data: PreviewData | None) -> Preview:
    """``template`` (a text, or a list or mapping holding templates) rendered against ``data``: its value, or one
    line naming what is wrong."""
    from engine.errors import StepError
    from engine.io.expressions import parse_template
    from engine.runtime.templates import render

    texts = list(templates_in(template))
    parsed_all = [parse_template(text) for text in texts]
    broken = next((parsed.error for parsed in parsed_all if parsed.error), None)
    if broken:
        return Preview(broken, broken, True)
    refs = [ref for one in parsed_all for ref in one.refs]
    if data is None:
        return Preview(NO_RUN, "Run the workflow once: its values are used to preview the templates.")
    ctx = data.context()
    try:
        value = render(template, ctx)
    except StepError as exc:
        message = missing_name(refs, ctx, data) or _engine_line(str(exc), str(template), refs)
        return Preview(message, message, True)
    except Exception as exc:  # whatever the renderer raises is the person's template's problem
        message = f"{type(exc).__name__}: {exc}"
        return Preview(message, message, True)
    return Preview("→ " + value_line(value), value_tip(value))


def _engine_line(message: str, template: str, refs: Any) -> str:
    """The engine's message without the template it repeats (it is right above, in the field); a list's missing
    element names the list the template reads."""
    line = message.removesuffix(f" in {template!r}").splitlines()[0] if message else "cannot be computed"
    if line.startswith("list object has no element") and len(refs) == 1:
        line = f"{'.'.join(refs[0].names)}{line.removeprefix('list object')}"
    return line


def missing_name(refs: Any, ctx: Mapping[str, Any], data: PreviewData) -> str | None:
    """The first name a template reads that the run does not have, said plainly, with the nearest name."""
    for ref in refs:
        names = ref.names
        value: Any = ctx
        for depth, name in enumerate(names):
            if isinstance(value, Mapping) and name in value:
                value = value[name]
                continue
            if isinstance(value, str) and names[0] == "steps" and depth >= 2 and CUT in value[-80:]:
                return f"the output of '{names[1]}' was too big for the history and kept cut; it cannot be previewed"
            if not isinstance(value, Mapping) or ref.may_lack(depth) or (depth == 0 and name in _globals()):
                break  # an attribute of a value (a text's method...) or a guarded name: not a missing key
            return _say_missing(names, depth, value, data)
    return None


def _globals() -> Mapping[str, Any]:
    from engine.runtime.templates import ENV

    return ENV.globals


def _say_missing(names: tuple[str, ...], depth: int, where: Mapping[str, Any], data: PreviewData) -> str:
    name, hint = names[depth], _did_you_mean(names[depth], where)
    if depth == 0:
        if name in ("loop", "error"):
            return f"'{name}' has a value only while the step runs (in a loop body, on an error route)"
        return f"'{name}' is not defined (known: vars, steps, trigger, env, secrets, now, run, error, loop)"
    if names[0] == "steps" and depth == 1:
        if name in data.known_steps:
            return f"'{name}' has no output in run {(data.run_id or '')[:6]} (it did not run, or failed)"
        return f"no step '{name}'{_did_you_mean(name, data.known_steps)}"
    if names[0] == "steps" and depth == 2:
        return f"'{names[1]}' has no output '{name}'{hint}"
    if names[0] == "vars" and depth == 1:
        return f"no variable '{name}'{hint}"
    return f"{'.'.join(names[:depth])} has no '{name}'{hint}"


def _did_you_mean(name: str, choices: Any) -> str:
    import difflib

    close = difflib.get_close_matches(name, [str(c) for c in choices], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# -- values as text -------------------------------------------------------------------------------
def value_line(value: Any) -> str:
    """A value in one line: text as is, other values as compact JSON, lists and mappings with their size first."""
    text = value[:LINE_CHARS] if isinstance(value, str) else compact(value, LINE_CHARS)
    if isinstance(value, list | tuple):
        text = f"{len(value):,} item{'s' if len(value) != 1 else ''}: {text}"
    elif isinstance(value, dict):
        text = f"{len(value):,} key{'s' if len(value) != 1 else ''}: {text}"
    elif value == "":
        text = "(empty text)"
    return text.replace("\r\n", " ⏎ ").replace("\n", " ⏎ ")


def value_tip(value: Any) -> str:
    text = value[:TIP_CHARS] if isinstance(value, str) else compact(value, TIP_CHARS)
    full = len(value) if isinstance(value, str) else None
    if full is not None and full > TIP_CHARS:
        text += f"… ({full:,} characters)"
    return text


def compact(value: Any, limit: int) -> str:
    """Compact JSON of ``value``, stopped after about ``limit`` characters (a 1 MB output is never encoded whole)."""
    out: list[str] = []
    size = 0
    for piece in _pieces(value, limit):
        out.append(piece)
        size += len(piece)
        if size > limit:
            return "".join(out)[:limit] + "…"
    return "".join(out)


def _pieces(value: Any, limit: int) -> Iterator[str]:
    if isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield (", " if i else "") + json.dumps(str(key), ensure_ascii=False) + ": "
            yield from _pieces(item, limit)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ", "
            yield from _pieces(item, limit)
        yield "]"
    elif isinstance(value, str):
        yield json.dumps(value[: limit + 1], ensure_ascii=False)  # a longer text is cut: never encoded whole
    else:
        yield json.dumps(value, ensure_ascii=False, default=str)


# -- the widget --------------------------------------------------------------------------------------
class PreviewLine(ElidedLabel):
    """The small line under a field: muted for a value, in the error colour for a problem; elided to its width
    with the whole value in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldPreview")
        self.setProperty("error", False)
        self.error = False
        self.hide()

    def show_preview(self, preview: Preview | None) -> None:
        if preview is None:
            self.full = ""
            self.hide()
            return
        if preview.error != self.error:
            self.error = preview.error
            self.setProperty("error", preview.error)
            self.style().unpolish(self)
            self.style().polish(self)
        self.set_full_text(preview.line, preview.tip)
        self.show()


class Previewer:
    """The inspector's source of previews: holds the data of the run shown (the last, or a past one)."""

    def __init__(self) -> None:
        self.data: PreviewData | None = None
        self.generation = 0  # changes with the data: a field renders again

    def set_data(self, data: PreviewData | None) -> None:
        self.data = data
        self.generation += 1

    def __call__(self, value: Any) -> Preview | None:
        """The preview of a field's value; None for a value that holds no template."""
        return render_preview(value, self.data) if is_template(value) else None

    def load(self, workflow: Any, path: Any, history: Any, record: Any = None) -> None:
        """Take ``record`` (or ``workflow``'s last run from ``history``) and the pins beside ``path``."""
        from engine.runtime.pins import PinsError, load_pins

        if record is None and history is not None and workflow.name:
            try:
                last = history.last_run(workflow.name)
                record = history.run(last.run_id) if last is not None else None
            except Exception:  # a history that cannot be read previews as no run
                record = None
        try:
            pins = load_pins(path) if path is not None else {}
        except PinsError:
            pins = {}
        self.set_data(preview_data(workflow, record, pins))
