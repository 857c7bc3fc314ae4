"""What the command line prints: user text with its control characters shown, and streams that never crash.

- ``clean(text)``: a step id, name, message or file name as text a terminal shows and does not obey (an escape
  sequence could set the window title or clear the screen): control characters become ``\\x1b``-style escapes.
- ``setup_streams()``: on a stdout or stderr that cannot encode Unicode (Windows' cp1252, ``PYTHONIOENCODING=ascii``,
  Python's C locale) the marks (✓ ✗ ▶ — •) are written in ASCII and any other character as a ``\\u…`` escape.
- ``CleanFormatter``: log lines (the daemon's) with ``clean`` applied.
- ``pipe_closed()``: what to do when the reader of the output went away (``flowdeck history | head -1``).
"""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
import sys
from typing import Any, TextIO

PIPE_CLOSED = 141  # 128 + SIGPIPE: the code a shell shows for a program whose reader left, as for other tools

# C0 controls but tab and newline, DEL, C1 controls (\x9b starts a sequence too), and the bidirectional overrides
# that make a line read differently from what it holds.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

ASCII_MARKS = str.maketrans(
    {
        "▶": ">",
        "→": "->",
        "✓": "ok",
        "✗": "x",
        "↻": "~",
        "✔": "OK",
        "✘": "X",
        "■": "#",
        "•": "*",
        "—": "-",
        "–": "-",
        "…": "...",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
    }
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object) -> str:
    """``text`` with every control character but newline and tab written as an escape (``\\x1b``)."""
    return _CONTROL.sub(_escape, str(text))


def echo(text: object = "", file: TextIO | None = None, end: str = "\n") -> None:
    """Print user text (``clean`` applied) to ``file`` (stdout by default)."""
    print(clean(text), file=file if file is not None else sys.stdout, end=end)


class CleanFormatter(logging.Formatter):
    """A log formatter for a terminal: the line with its control characters escaped (workflow names, step ids and
    messages end up in log lines)."""

    def format(self, record: logging.LogRecord) -> str:
        return clean(super().format(record))


def says_unicode(stream: Any) -> bool:
    """Whether ``stream`` writes with a Unicode encoding (UTF-8, -16, -32)."""
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name.startswith("utf")
    except LookupError:
        return False


class AsciiMarks(io.TextIOBase):
    """A text stream that writes the marks in ASCII and escapes what its encoding cannot hold."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(text.translate(ASCII_MARKS))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.raw.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.raw.errors


def setup_streams() -> None:
    """Make stdout and stderr safe for any text: ASCII marks and escapes where the encoding is not Unicode."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or says_unicode(stream) or isinstance(stream, AsciiMarks):
            continue
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass  # not a TextIOWrapper: its own rules apply
        setattr(sys, name, AsciiMarks(stream))


def pipe_closed() -> int:
    """The reader left: nothing more is printed (nor an error at exit), and the exit code says so."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (AttributeError, OSError, ValueError):
                pass
        os.close(devnull)
    except OSError:
        pass
    return PIPE_CLOSED
