"""Control-flow blocks. Declared here like any block; the runtime carries them out itself."""

from __future__ import annotations

from engine.registry import Kind, Output, Param, Ports, block


def _control() -> None:  # pragma: no cover - never called: control blocks have run=None
    raise NotImplementedError


block(
    "if",
    title="If / else",
    category="Control",
    icon="if",
    help="Go to 'then' when the condition is true, otherwise to 'else'.",
    params=[Param("condition", Kind.TEXT, required=True, help="An expression, e.g. {{ steps.run.exit_code != 0 }}.")],
    ports=Ports(("then", "else"), help={"then": "condition is true", "else": "condition is false"}),
    outputs=[Output("result", "true or false")],
    control=True,
)(_control)

block(
    "switch",
    title="Switch",
    category="Control",
    icon="switch",
    help="Go to the port named like the value (write one port per case under next:), or to 'default'.",
    params=[Param("value", Kind.TEXT, required=True, help="An expression whose value picks the port.")],
    ports=Ports(("default",), dynamic=True, help={"default": "no case matched"}),
    outputs=[Output("value", "the value that was matched"), Output("port", "the port taken")],
    control=True,
)(_control)

block(
    "for_each",
    title="For each",
    category="Control",
    icon="loop",
    help="Run the 'body' path once for every item ({{ loop.item }}, {{ loop.index }}), then go to 'done'.",
    params=[
        Param("items", Kind.ANY, required=True, help="A list, e.g. {{ steps.list.files }}."),
        Param("concurrency", Kind.INTEGER, default=1, minimum=1, maximum=64, help="How many items run at once."),
        Param(
            "max_items",
            Kind.INTEGER,
            default=1_000_000,
            minimum=1,
            help="More items than this fail the step (a guard against a runaway list).",
        ),
    ],
    ports=Ports(("body", "done"), help={"body": "runs once per item", "done": "after the last item"}),
    outputs=[Output("count", "how many items ran"), Output("results", "each item's last body output")],
    control=True,
)(_control)

block(
    "repeat",
    title="Repeat while",
    category="Control",
    icon="repeat",
    help="Run the 'body' path while 'while' holds and until 'until' holds, at most 'max' times, then go to 'done'.",
    params=[
        Param(
            "while",
            Kind.TEXT,
            default="true",
            templated=False,
            help="Checked before each round, e.g. {{ loop.index < 5 }}.",
        ),
        Param(
            "until",
            Kind.TEXT,
            default="",
            templated=False,
            help="Checked after each round: the loop ends once it holds, e.g. {{ loop.last_output.code == 200 }}.",
        ),
        Param("max", Kind.INTEGER, required=True, minimum=1, maximum=1_000_000, help="Upper bound on rounds."),
    ],
    ports=Ports(("body", "done"), help={"body": "one round", "done": "after the last round"}),
    outputs=[Output("count", "how many rounds ran")],
    control=True,
)(_control)

block(
    "join",
    title="Join",
    category="Control",
    icon="join",
    help="Wait until every branch that leads here has arrived, then go on once.",
    outputs=[Output("branches", "the ids of the steps that arrived")],
    control=True,
)(_control)

block(
    "wait",
    title="Wait",
    category="Control",
    icon="wait",
    help="Pause for a duration, or until a date and time.",
    params=[
        Param("duration", Kind.DURATION, help="How long, e.g. 30s or 5m.", main=True),
        Param("until", Kind.TEXT, help="Or a date and time, e.g. 2026-12-01 09:00 or 17:30.", main=True),
    ],
    outputs=[Output("waited", "seconds waited")],
    control=True,
)(_control)

block(
    "stop",
    title="Stop",
    category="Control",
    icon="stop",
    help="End the run successfully here, whatever else is still running.",
    params=[Param("message", Kind.TEXT, default="", help="Why the run stopped.", main=True)],
    ports=Ports(()),
    control=True,
)(_control)

block(
    "fail",
    title="Fail",
    category="Control",
    icon="fail",
    help="End the run as failed with a message (error routes and on_failure still apply).",
    params=[Param("message", Kind.TEXT, required=True, help="What went wrong, for the person reading the history.")],
    ports=Ports(()),
    control=True,
)(_control)

block(
    "workflow.run",
    title="Run workflow",
    category="Control",
    icon="workflow",
    help="Run another workflow file as one step: its vars come from 'inputs', its 'outputs' come back.",
    params=[
        Param("path", Kind.PATH, required=True, help="The workflow file, relative to this one's folder."),
        Param("inputs", Kind.MAPPING, default={}, help="Values for the other workflow's vars."),
    ],
    outputs=[Output("outputs", "what the other workflow's outputs: section gave"), Output("run_id")],
    control=True,
)(_control)
