"""Ask-the-person blocks: a message with buttons (the answer picks the port), a prompt, a small form.

They need someone at the desktop: in the app a real dialog appears (gui.shell.ask_dialog); in a headless run
(``flowdeck run``, the daemon) they take their default, or fail with one line when they have none.
"""

from __future__ import annotations

from typing import Any

from engine.blocks._common import text_of
from engine.blocks._desktop import CATEGORY, seconds
from engine.desktop.ask import NO_DEFAULT, Question, ask, form_fields, form_fields_problem
from engine.errors import StepError
from engine.registry import MISSING, Kind, Output, Param, Ports, block
from engine.registry.context import StepContext

_PROMPTS = ("text", "password", "choice", "date")
_TIMEOUT = Param("timeout", Kind.DURATION, default="0s", help="Stop waiting after this long (0: wait); then default.")


def _default(value: Any) -> Any:
    return NO_DEFAULT if value is MISSING or value is None else value


@block(
    "ask.message",
    title="Ask with buttons",
    category=CATEGORY,
    icon="ask",
    help="Show a message with buttons; the button pressed picks the port (write one port per button under "
    "next:, e.g. Send: and Skip:; quote 'Yes' and 'No', which YAML reads as true and false). Without a person "
    "(headless) or after the timeout it takes the default button.",
    params=[
        Param("title", Kind.TEXT, required=True, help="The dialog's headline."),
        Param("message", Kind.MULTILINE, default="", help="The text above the buttons."),
        Param("buttons", Kind.LIST, default=["OK", "Cancel"], help="The buttons, e.g. [Send, Skip, Later]."),
        Param("default", Kind.TEXT, default=None, help="The button taken after the timeout or with nobody to ask."),
        _TIMEOUT,
    ],
    ports=Ports(("next",), dynamic=True, help={"next": "a button that has no port of its own"}),
    outputs=[Output("answer", "the button pressed"), Output("answered", "false when the default was taken")],
    summary="title",
)
def ask_message(
    ctx: StepContext,
    title: Any,
    message: Any = "",
    buttons: Any = ("OK", "Cancel"),
    default: Any = None,
    timeout: Any = "0s",
) -> dict[str, Any]:
    labels = [text_of(b) for b in (buttons or [])]
    if not labels or len(set(labels)) != len(labels):
        raise StepError("buttons: give one or more buttons, each with its own text", kind="value")
    if default is not None and text_of(default) not in labels:
        raise StepError(f"default: {default!r} is not one of the buttons ({', '.join(labels)})", kind="value")
    question = Question("message", text_of(title), text_of(message), buttons=labels,
                        default=_default(default), timeout=seconds(timeout, "timeout"))  # fmt: skip
    reply = ask(ctx.host, question, "ask.message")
    return {"port": str(reply["answer"]), **reply}


@block(
    "ask.input",
    title="Ask for a value",
    category=CATEGORY,
    icon="ask",
    help="Ask the person for a text, a password, one of some choices, or a date (YYYY-MM-DD). Without a person "
    "(headless) or after the timeout it takes the default; with no default the step fails.",
    params=[
        Param("title", Kind.TEXT, required=True, help="The question."),
        Param("message", Kind.MULTILINE, default="", help="More words under it."),
        Param("kind", Kind.CHOICE, default="text", choices=_PROMPTS, help="What is asked for."),
        Param("choices", Kind.LIST, default=[], help="For kind choice: the options."),
        Param("default", Kind.TEXT, default=None, help="Filled in; taken after the timeout or with nobody to ask."),
        _TIMEOUT,
    ],
    outputs=[Output("answer", "what the person gave"), Output("answered", "false when the default was taken")],
    summary="title",
)
def ask_input(
    ctx: StepContext,
    title: Any,
    message: Any = "",
    kind: Any = "text",
    choices: Any = (),
    default: Any = None,
    timeout: Any = "0s",
) -> dict[str, Any]:
    if kind not in _PROMPTS:
        raise StepError(f"kind: expected one of {', '.join(_PROMPTS)}, got {kind!r}", kind="value")
    options = [text_of(c) for c in (choices or [])]
    if kind == "choice" and not options:
        raise StepError("choices: a choice needs the options to choose from", kind="value")
    question = Question(str(kind), text_of(title), text_of(message), choices=options,
                        default=_default(default), timeout=seconds(timeout, "timeout"))  # fmt: skip
    return ask(ctx.host, question, "ask.input")


@block(
    "ask.form",
    title="Ask with a form",
    category=CATEGORY,
    icon="ask",
    help="Ask for several values at once in a small form. Each field is a name, or {name, label, kind "
    "(text, password, choice, date, number, check), choices, default}. Headless or after the timeout it takes the "
    "fields' defaults when every field has one.",
    params=[
        Param("title", Kind.TEXT, required=True, help="The form's headline."),
        Param("message", Kind.MULTILINE, default="", help="More words above the fields."),
        Param(
            "fields",
            Kind.LIST,
            required=True,
            help="e.g. [name, {name: age, kind: number, default: 30}].",
            validate=form_fields_problem,
        ),
        _TIMEOUT,
    ],
    outputs=[Output("values", "field name → value"), Output("answered", "false when the defaults were taken")],
    summary="title",
)
def ask_form(ctx: StepContext, title: Any, fields: Any, message: Any = "", timeout: Any = "0s") -> dict[str, Any]:
    specs = form_fields(fields)
    defaults = {f["name"]: f["default"] for f in specs if "default" in f}
    default = defaults if len(defaults) == len(specs) else NO_DEFAULT
    question = Question("form", text_of(title), text_of(message), fields=specs, default=default,
                        timeout=seconds(timeout, "timeout"))  # fmt: skip
    reply = ask(ctx.host, question, "ask.form")
    return {"values": reply["answer"], "answered": reply["answered"]}
