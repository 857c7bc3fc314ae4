"""The command line's output as docs/cli.md ("Output") promises it: escaped user text, ASCII marks where the stream
cannot write Unicode, and a quiet end when the reader of the output went away."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.e2e.test_cli import FAILS, HELLO
from tests.support.product import Product


def into_closed_pipe(product: Product, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``flowdeck ARGS`` whose stdout is a pipe nobody reads any more (``… | head -1`` after head left)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            product.command(*args), stdout=write, stderr=subprocess.PIPE, env=product.env, cwd=product.home, timeout=60
        )
    finally:
        os.close(write)


ESCAPES = """flowdeck: 1
name: "Title\\e]0;pwned\\a"
steps:
  greet:
    do: log
    with: {message: "clear\\e[2Jscreen\\rback"}
"""


@pytest.mark.promise("cli.md", "Output")
def test_control_characters_in_user_text_are_printed_escaped(product: Product) -> None:
    """Names, messages and ids from workflows are printed with their control characters escaped (`\\x1b`), by
    `run`, `validate`, `history` and `status`, so they cannot set the terminal's title or clear the screen."""
    flow = product.write("esc.yaml", ESCAPES)
    ran = product.run("run", str(flow))
    assert ran.returncode == 0, ran.stderr
    assert "\x1b" not in ran.stdout and "\x07" not in ran.stdout and "\r" not in ran.stdout
    assert "▶ Title\\x1b]0;pwned\\x07  (run " in ran.stdout
    assert "    greet: clear\\x1b[2Jscreen\\x0dback" in ran.stdout
    listed = product.run("history")
    assert "\x1b" not in listed.stdout and "Title\\x1b]0;pwned\\x07" in listed.stdout
    shown = product.run("history", "--run", product.history()[0]["run_id"])
    assert "\x1b" not in shown.stdout and "log info: clear\\x1b[2Jscreen\\x0dback" in shown.stdout
    bad = product.write("bad.yaml", 'flowdeck: 1\nname: B\nsteps:\n  "a\\e[2J": {do: log, with: {message: x}}\n')
    checked = product.run("validate", str(bad))
    assert checked.returncode == 1
    assert "\x1b" not in checked.stderr and "steps.a\\x1b[2J: a step id uses letters" in checked.stderr
    status = product.run("status")
    assert status.returncode == 0, status.stderr
    assert "\x1b" not in status.stdout and "[enabled]  Title\\x1b]0;pwned\\x07" in status.stdout


@pytest.mark.promise("cli.md", "Output")
def test_the_daemons_log_lines_are_escaped_too(product: Product) -> None:
    """The daemon's log (stderr and daemon.log) shows a bad step id's escape character as `\\x1b`, never raw."""
    product.write("bad.yaml", 'flowdeck: 1\nname: B\nsteps:\n  "a\\e[2J": {do: log, with: {message: x}}\n')
    with product.daemon() as daemon:
        assert daemon.wait_log("a step id uses letters"), daemon.log
        assert daemon.stop() == 0
    for text in (daemon.log, product.daemon_log_file.read_text("utf-8")):
        assert "steps.a\\x1b[2J: a step id uses letters" in text and "\x1b" not in text


@pytest.mark.promise("cli.md", "Output")
@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"PYTHONIOENCODING": "cp1252"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
    ],
    ids=["ascii", "cp1252", "C-locale"],
)
def test_a_stdout_without_unicode_gets_ascii_marks(product: Product, env: dict[str, str]) -> None:
    """On a stdout that cannot write Unicode the marks are ASCII (`>`, `ok`, `OK`) and nothing crashes."""
    flow = product.write("hello.yaml", HELLO.replace("name: Hello", "name: Grüße"))
    done = product.run("run", str(flow), "--var", "who=Zoë ☃", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith(("> Gr\\xfc\\xdfe  (run ", "> Grüße  (run ", "> Gr\ufffd\ufffde  (run "))
    assert lines[1:3] == ["  -> greet [log]", "    greet: Hello, Zo" + lines[2].split("Zo", 1)[1]]
    assert "\\u2603" in lines[2]  # the snowman does not fit in any of these encodings
    assert lines[3].startswith("  ok greet  ") and lines[4].startswith("OK succeeded in ")
    blocks = product.run("blocks", "log", env=env)
    assert blocks.returncode == 0 and blocks.stdout.startswith("log  (Messages) - Log: ")


@pytest.mark.promise("cli.md", "Output")
@pytest.mark.parametrize(
    "args", [("history", "--json"), ("history",), ("blocks",), ("validate", "{flow}"), ("--help",)]
)
def test_a_reader_that_went_away_ends_the_command_quietly(product: Product, args: tuple[str, ...]) -> None:
    """When the reader of the output stops reading, the command exits with 141 and prints nothing (no traceback)."""
    flow = product.write("hello.yaml", HELLO)
    assert product.run("run", str(flow)).returncode == 0
    done = into_closed_pipe(product, *[a.format(flow=flow) for a in args])
    assert done.stderr == b""
    assert done.returncode in ((0, 141) if args == ("--help",) else (141,))  # argparse ignores a failed help write


@pytest.mark.promise("cli.md", "Output")
def test_a_run_whose_reader_went_away_still_runs_to_its_end(product: Product) -> None:
    """`flowdeck run` into a closed pipe: the run goes on to its end and is recorded; the exit code is the run's."""
    flow = product.write("two.yaml", HELLO + "    next: after\n  after:\n    do: log\n    with: {message: done}\n")
    done = into_closed_pipe(product, "run", str(flow))
    assert done.stderr == b""
    assert done.returncode == 0
    assert [(r["workflow"], r["status"]) for r in product.history()] == [("Hello", "succeeded")]
    failed = into_closed_pipe(product, "run", str(product.write("fails.yaml", FAILS)))
    assert failed.returncode == 1
    assert failed.stderr.decode() == "error in step 'boom': it broke\n"
