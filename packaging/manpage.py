"""flowdeck(1), written from the argparse parser of ``flowdeck`` (engine/cli/main.py) at build time.

The commands, options and help texts are the parser's; the page adds only the sections a man page has around them.
"""

from __future__ import annotations

import argparse
from datetime import datetime


def esc(text: str) -> str:
    """roff-safe text: backslashes and hyphens escaped, no line starting with a control character."""
    out = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in out.splitlines())


def _options(parser: argparse.ArgumentParser) -> list[str]:
    lines = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            flags = ", ".join(f"\\fB{esc(o)}\\fR" for o in action.option_strings)
            if action.nargs != 0:
                flags += f" \\fI{esc(_metavar(action, action.dest.upper()))}\\fR"
        else:
            flags = f"\\fI{esc(_metavar(action, action.dest))}\\fR"
        lines += [".TP", flags, esc(action.help or "")]
    return lines


def _metavar(action: argparse.Action, fallback: str) -> str:
    """An option's argument names: ``--diff A B`` has a tuple of them (nargs=2)."""
    names = action.metavar or fallback
    return " ".join(names) if isinstance(names, tuple) else names


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def render(parser: argparse.ArgumentParser, version: str, when: datetime) -> str:
    lines = [
        f'.TH FLOWDECK 1 "{when:%Y-%m-%d}" "flowdeck {esc(version)}" "User Commands"',
        ".SH NAME",
        "flowdeck \\- build automations on a canvas and run them on schedules, file changes and webhooks",
        ".SH SYNOPSIS",
        ".B flowdeck",
        "[\\fIFILE\\fR...]",
        ".br",
        ".B flowdeck",
        "\\fICOMMAND\\fR [\\fIOPTIONS\\fR]",
        ".SH DESCRIPTION",
        esc(parser.description or ""),
        ".SH OPTIONS",
        *_options(parser),
        ".SH COMMANDS",
    ]
    for name, sub in _subcommands(parser).items():
        usage = sub.format_usage().removeprefix("usage: ").strip()
        lines += [f'.SS "{esc(name)}"', f".B {esc(usage)}", ".PP", esc(sub.description or ""), *_options(sub)]
    lines += [
        ".SH EXIT STATUS",
        "0 done; 1 the work failed (a run failed, a file has errors or is missing); 2 usage error; 130 interrupted.",
        ".SH FILES",
        ".TP",
        ".I /usr/lib/systemd/user/flowdeck.service",
        "runs \\fBflowdeck daemon\\fR as a systemd user service:",
        "\\fBsystemctl \\-\\-user enable \\-\\-now flowdeck\\fR",
        ".SH SEE ALSO",
        "The documentation in docs/ of https://github.com/flowdeck/flowdeck",
    ]
    return "\n".join(lines) + "\n"
