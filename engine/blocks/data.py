"""Data: JSON parse/format/query, compose text, regular expressions."""

from __future__ import annotations

import json
import re
from typing import Any

from engine.blocks._common import text_of
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

CATEGORY = "Data"


@block(
    "json.parse",
    title="Parse JSON",
    category=CATEGORY,
    icon="json",
    help="Turn JSON text into data that later steps can read: {{ steps.<id>.value.total }}.",
    params=[Param("text", Kind.MULTILINE, required=True, help="The JSON text, e.g. {{ steps.read.content }}.")],
    outputs=[Output("value", "the data")],
)
def json_parse(ctx: StepContext, text: Any) -> dict[str, Any]:
    if not isinstance(text, str | bytes):
        return {"value": text}  # already data (an expression gave a list or mapping)
    return {"value": parse_json(text, "text")}


def parse_json(text: str | bytes, what: str) -> Any:
    source = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if not source.strip():
        raise StepError(f"{what}: is empty, not JSON", kind="value")
    try:
        return json.loads(source)
    except json.JSONDecodeError as exc:
        line = source.splitlines()[exc.lineno - 1] if source.splitlines() else ""
        near = line[max(0, exc.colno - 20) : exc.colno + 20].strip()
        raise StepError(
            f"{what}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} (near '{near}')",
            kind="value",
        ) from None


@block(
    "json.format",
    title="Format JSON",
    category=CATEGORY,
    icon="json",
    help="Turn data into JSON text, e.g. to write it to a file or send it.",
    params=[
        Param("value", Kind.ANY, required=True, help="The data, e.g. {{ steps.fetch.json }}."),
        Param("indent", Kind.INTEGER, default=2, minimum=0, maximum=16, help="Spaces per level; 0 for one line."),
        Param("sort_keys", Kind.BOOL, default=False, help="Sort the keys of mappings."),
    ],
    outputs=[Output("text", "the JSON text")],
    summary="value",
)
def json_format(ctx: StepContext, value: Any, indent: int = 2, sort_keys: bool = False) -> dict[str, Any]:
    try:
        text = json.dumps(value, indent=indent or None, sort_keys=sort_keys, ensure_ascii=False, default=str)
    except (TypeError, ValueError) as exc:
        raise StepError(f"value: cannot be written as JSON ({exc})", kind="value") from None
    return {"text": text}


@block(
    "json.query",
    title="Query JSON",
    category=CATEGORY,
    icon="json",
    help="Pick and reshape parts of JSON data with a JMESPath query, e.g. items[?price > `4`].name "
    "or {total: total, first: items[0].name}. See jmespath.org for the language.",
    params=[
        Param("data", Kind.ANY, required=True, help="Data or JSON text, e.g. {{ steps.fetch.json }}."),
        Param("query", Kind.TEXT, required=True, help="The JMESPath query."),
    ],
    outputs=[Output("result", "what the query selected (null when nothing matched)")],
    summary="query",
)
def json_query(ctx: StepContext, data: Any, query: str) -> dict[str, Any]:
    import jmespath
    from jmespath.exceptions import JMESPathError, ParseError

    value = parse_json(data, "data") if isinstance(data, str | bytes) else data
    try:
        compiled = jmespath.compile(str(query))
    except ParseError as exc:
        raise StepError(f"query: {query!r} is not a valid JMESPath query ({_first_line(exc)})", kind="value") from None
    try:
        return {"result": compiled.search(value)}
    except JMESPathError as exc:
        raise StepError(f"query {query!r} failed on this data: {_first_line(exc)}", kind="value") from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@block(
    "text.template",
    title="Compose text",
    category=CATEGORY,
    icon="template",
    help="Build a text from expressions in one place (an email body, a report line, a file name); "
    "later steps read it as {{ steps.<id>.text }}. Jinja loops and conditions work: {% for r in rows %}...",
    params=[
        Param("template", Kind.MULTILINE, required=True, help="The text with {{ expressions }}."),
        Param("trim", Kind.BOOL, default=False, help="Remove blank space at the start and end."),
    ],
    outputs=[Output("text"), Output("lines", "the text split into lines")],
    summary="template",
)
def text_template(ctx: StepContext, template: Any, trim: bool = False) -> dict[str, Any]:
    text = text_of(template)  # the runtime has rendered the expressions already
    if trim:
        text = text.strip()
    return {"text": text, "lines": text.splitlines()}


_FLAG_PARAMS = [
    Param("ignore_case", Kind.BOOL, default=False, help="A matches a."),
    Param("multiline", Kind.BOOL, default=False, help="^ and $ match at every line, not just the text's ends."),
    Param("dot_all", Kind.BOOL, default=False, help=". matches line breaks too."),
]


def compile_regex(pattern: Any, ignore_case: bool, multiline: bool, dot_all: bool) -> re.Pattern[str]:
    flags = (re.IGNORECASE if ignore_case else 0) | (re.MULTILINE if multiline else 0) | (re.DOTALL if dot_all else 0)
    try:
        return re.compile(str(pattern), flags)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise StepError(f"pattern {pattern!r} is not a valid regular expression: {exc.msg}{where}", "value") from None


def _match_info(m: re.Match[str]) -> dict[str, Any]:
    return {"text": m.group(0), "groups": list(m.groups()), "named": m.groupdict(), "start": m.start()}


@block(
    "regex.match",
    title="Find with regex",
    category=CATEGORY,
    icon="regex",
    help="Look for a regular expression in a text and pull out its groups. 'matched' says whether it was found; "
    "'all' lists every match, e.g. every number: pattern \\d+.",
    params=[
        Param("text", Kind.MULTILINE, required=True, help="The text to search."),
        Param("pattern", Kind.TEXT, required=True, help="The regular expression, e.g. (\\d+) EUR."),
        *_FLAG_PARAMS,
        Param("must_match", Kind.BOOL, default=False, help="Fail the step when nothing matches."),
    ],
    outputs=[
        Output("matched", "true when found"),
        Output("match", "the first matching text"),
        Output("groups", "the first match's groups, as a list"),
        Output("named", "the first match's named groups (?P<name>...)"),
        Output("all", "every match: {text, groups, named, start}"),
        Output("count"),
    ],
    summary="pattern",
)
def regex_match(
    ctx: StepContext,
    text: Any,
    pattern: str,
    ignore_case: bool = False,
    multiline: bool = False,
    dot_all: bool = False,
    must_match: bool = False,
) -> dict[str, Any]:
    rx = compile_regex(pattern, ignore_case, multiline, dot_all)
    found = [_match_info(m) for m in rx.finditer(text_of(text))]
    if must_match and not found:
        raise StepError(f"pattern {pattern!r} was not found in the text", kind="value")
    first = found[0] if found else {"text": "", "groups": [], "named": {}}
    return {
        "matched": bool(found),
        "match": first["text"],
        "groups": first["groups"],
        "named": first["named"],
        "all": found,
        "count": len(found),
    }


@block(
    "regex.replace",
    title="Replace with regex",
    category=CATEGORY,
    icon="regex",
    help="Replace what a regular expression matches. The replacement may use groups: \\1 or \\g<name>.",
    params=[
        Param("text", Kind.MULTILINE, required=True, help="The text to change."),
        Param("pattern", Kind.TEXT, required=True, help="The regular expression."),
        Param("replacement", Kind.TEXT, default="", help="What to put instead (empty removes the match).", main=True),
        Param("count", Kind.INTEGER, default=0, minimum=0, help="Replace at most this many (0 = all)."),
        *_FLAG_PARAMS,
    ],
    outputs=[Output("text", "the changed text"), Output("replaced", "how many replacements were made")],
    summary="pattern",
)
def regex_replace(
    ctx: StepContext,
    text: Any,
    pattern: str,
    replacement: Any = "",
    count: int = 0,
    ignore_case: bool = False,
    multiline: bool = False,
    dot_all: bool = False,
) -> dict[str, Any]:
    rx = compile_regex(pattern, ignore_case, multiline, dot_all)
    try:
        new, n = rx.subn(text_of(replacement), text_of(text), count=count)
    except (re.error, IndexError) as exc:
        raise StepError(f"replacement {replacement!r} refers to a group the pattern does not have ({exc})", "value")
    return {"text": new, "replaced": n}
