"""Asking the person: a question as plain data that the app answers with a real dialog, and a headless run refuses.

The ask blocks build a ``Question`` and hand ``question.as_dict()`` to ``ctx.host.ask``; the app's host
(gui.shell.ask_dialog) shows it and returns ``{"answer": ..., "answered": bool}``, also across the process
boundary of a worker (it is plain data). A host without ``ask`` (``flowdeck run``, the daemon) has nobody to ask:
the block then takes its default when it has one, else fails with one line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from engine.errors import StepError

KINDS = ("message", "text", "password", "choice", "date", "form")
FIELD_KINDS = ("text", "password", "choice", "date", "number", "check")
NO_DEFAULT = "__flowdeck_no_default__"  # a default that was not given (None is a value one may give)
ANSWER_MARGIN = 5.0  # seconds the worker waits past the question's own timeout before it gives up on the app


@dataclass
class Question:
    kind: str
    title: str
    message: str = ""
    buttons: list[str] = field(default_factory=list)  # message
    choices: list[str] = field(default_factory=list)  # choice
    fields: list[dict[str, Any]] = field(default_factory=list)  # form: name, label, kind, choices, default
    default: Any = NO_DEFAULT
    timeout: float = 0.0  # seconds; 0 waits for the person as long as the step may run

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    @property
    def has_default(self) -> bool:
        return self.default != NO_DEFAULT


def form_fields(value: Any) -> list[dict[str, Any]]:
    """A form's ``fields`` (names, or mappings with name/label/kind/choices/default) as mappings; StepError if wrong."""
    if not isinstance(value, list) or not value:
        raise StepError("fields: expected a list of fields, e.g. [name, {name: age, kind: number}]", kind="value")
    out = []
    for i, item in enumerate(value, 1):
        spec = {"name": item} if isinstance(item, str) else dict(item) if isinstance(item, dict) else None
        if spec is None or not isinstance(spec.get("name"), str) or not spec["name"]:
            raise StepError(f"fields: item {i} needs a name (text, or a mapping with name:)", kind="value")
        kind = spec.setdefault("kind", "text")
        if kind not in FIELD_KINDS:
            raise StepError(f"fields: {spec['name']}: kind must be one of {', '.join(FIELD_KINDS)}", kind="value")
        spec.setdefault("label", spec["name"].replace("_", " ").capitalize())
        spec["choices"] = [str(c) for c in spec.get("choices") or []]
        if kind == "choice" and not spec["choices"]:
            raise StepError(f"fields: {spec['name']}: a choice field needs choices", kind="value")
        out.append(spec)
    return out


def form_fields_problem(value: Any) -> str | None:
    """What is wrong with a literal ``fields`` list, in the words of the run's error (for the validator), or None."""
    try:
        form_fields(value)
    except StepError as exc:
        return str(exc).removeprefix("fields: ")
    return None


def ask(host: Any, question: Question, step: str) -> dict[str, Any]:
    """The person's answer through ``host``: ``{"answer", "answered"}``; the default without a person."""
    asker = getattr(host, "ask", None)
    if asker is None:
        if question.has_default:
            return {"answer": question.default, "answered": False}
        raise StepError(
            f"{step} asks the person, but this run has nobody to ask (it is not in the Flowdeck app): give it a "
            "default to take when there is no desktop",
            kind="host",
        )
    reply = asker(question.as_dict())
    if not reply.get("answered") and not question.has_default:
        raise StepError(f"{_why_unanswered(reply.get('ended'), question)}, and {step} has no default", kind="timeout")
    if not reply.get("answered"):
        return {"answer": question.default, "answered": False}
    return {"answer": reply.get("answer"), "answered": True}


def _why_unanswered(ended: str | None, question: Question) -> str:
    """How an unanswered question ended, in the words of a step's error (the app's dialog says which)."""
    if ended == "closed":
        return "the question was closed without an answer"
    if ended == "quit":
        return "the Flowdeck app quit before the question was answered"
    return f"nobody answered within {question.timeout:g} s" if question.timeout else "nobody answered"
