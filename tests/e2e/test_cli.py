"""The command line as docs/cli.md (and README's "Command line") promise it: every command, flag and exit code."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine.cli.main import command_names
from tests.support.product import Product
from tests.support.ready import rows_when_ready

HELLO = """flowdeck: 1
name: Hello
vars: {who: world}
steps:
  greet:
    do: log
    with: {message: "Hello, {{ vars.who }}!"}
"""
FAILS = """flowdeck: 1
name: Fails
steps:
  boom:
    do: fail
    with: {message: "it broke"}
"""
BAD = "flowdeck: 1\nname: Bad\nsteps:\n  a: {do: lgo}\n"
KEYRING = {"PYTHON_KEYRING_BACKEND": "tests.support.filekeyring.FileKeyring"}  # shared by this account's processes


def launcher(product: Product, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``flowdeck`` script (gui.launch), not ``python -m engine``."""
    return subprocess.run(
        [sys.executable, "-m", "gui.launch", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**product.env, **(env or {})},
        cwd=str(product.home),
    )


# -- the app and the commands ---------------------------------------------------------------------------------------
@pytest.mark.promise("cli.md", "The app and the commands")
def test_flowdeck_without_a_display_says_so_in_one_line(product: Product) -> None:
    """Where there is no display, `flowdeck` (and `flowdeck FILE.yaml`, the desktop's way) says so in one line naming
    the headless commands, and exits with 1."""
    flow = product.write("hello.yaml", HELLO)
    for args in ((), (str(flow),), ("--minimized",)):
        done = launcher(product, *args)
        assert done.returncode == 1, args
        assert done.stdout == ""
        assert done.stderr == (
            "flowdeck: no display found (DISPLAY is not set), so the app cannot open; these commands work without "
            "one: flowdeck run FILE, flowdeck validate FILE, flowdeck daemon DIR, flowdeck history\n"
        )


@pytest.mark.promise("cli.md", "The app and the commands")
def test_flowdeck_runs_the_commands_and_an_unknown_option_is_a_usage_error(product: Product) -> None:
    """The `flowdeck` program runs every command as `python -m engine` does; `flowdeck --bogus` is a usage error
    (exit 2 with argparse's message), not the app."""
    flow = product.write("hello.yaml", HELLO)
    done = launcher(product, "run", str(flow), "--no-history")
    assert done.returncode == 0, done.stderr
    assert "Hello, world!" in done.stdout
    bogus = launcher(product, "--bogus")
    assert bogus.returncode == 2
    assert bogus.stderr.splitlines()[-1] == "flowdeck: error: unrecognized arguments: --bogus"
    assert "no display" not in bogus.stderr


@pytest.mark.promise("cli.md", "The app and the commands")
def test_python_m_engine_has_no_app(product: Product) -> None:
    """`python -m engine` with no command, or `open FILE`, says the app is started with `flowdeck` (exit 2)."""
    flow = product.write("hello.yaml", HELLO)
    for args in ((), ("open", str(flow)), (str(flow),)):
        done = product.run(*args)
        assert done.returncode == 2, args
        assert done.stderr.startswith(
            "flowdeck: the app is started with the 'flowdeck' command; here only the headless"
        )
        assert len(done.stderr.splitlines()) == 1


# -- exit codes -----------------------------------------------------------------------------------------------------
REQUIRED = {  # what each command needs before its options are looked at
    "daemon": ["{ws}"],
    "open": ["{flow}"],
    "run": ["{flow}"],
    "secret": ["list"],
    "status": ["{ws}"],
    "validate": ["{flow}"],
}


@pytest.mark.promise("cli.md", "Exit codes")
@pytest.mark.parametrize("command", command_names())  # every command there is, also one added later
def test_an_unknown_option_is_a_usage_error_for_every_command(product: Product, command: str) -> None:
    """Every command given an option it does not know exits with 2 and argparse's message, and does nothing."""
    flow = product.write("hello.yaml", HELLO)
    args = [a.format(ws=product.workspace, flow=flow) for a in REQUIRED.get(command, [])]
    done = product.run(command, *args, "--bogus", timeout=30)
    assert done.returncode == 2, done.stderr
    last = done.stderr.splitlines()[-1]
    if command in REQUIRED or command in ("blocks", "history"):
        assert last == "flowdeck: error: unrecognized arguments: --bogus"
    else:  # a command this test does not know yet: it may want an argument first
        assert last.startswith("flowdeck") and ": error: " in last, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert product.history_rows() == []


@pytest.mark.promise("cli.md", "Exit codes")
def test_usage_errors_exit_2(product: Product) -> None:
    """An unknown command, a missing argument and a bad value are usage errors: exit 2, argparse's message."""
    flow = product.write("hello.yaml", HELLO)
    cases = {
        ("frobnicate",): "flowdeck: error: argument COMMAND: invalid choice: 'frobnicate'",
        ("run",): "flowdeck run: error: the following arguments are required: FILE",
        ("history", "--limit", "many"): "flowdeck history: error: argument --limit: invalid int value: 'many'",
        ("run", str(flow), "--var", "who"): "flowdeck run: --var 'who': expected NAME=VALUE",
        ("secret", "set", "bad name"): "flowdeck: secret name 'bad name': use letters, digits, _ . and - (start",
    }
    for args, message in cases.items():
        done = product.run(*args)
        assert done.returncode == 2, args
        assert done.stderr.splitlines()[-1].startswith(message), done.stderr
    assert product.history_rows() == []


@pytest.mark.promise("cli.md", "Exit codes")
def test_failed_work_exits_1(product: Product) -> None:
    """A failed run, a file with errors, a missing file, an unknown run or block: exit 1."""
    fails, bad = product.write("fails.yaml", FAILS), product.write("bad.yaml", BAD)
    missing = product.workspace / "missing.yaml"
    for args in (
        ("run", str(fails)),
        ("run", str(bad)),
        ("run", str(missing)),
        ("validate", str(bad)),
        ("validate", str(missing)),
        ("history", "--run", "nosuchrun"),
        ("blocks", "nosuchblock"),
        ("open", str(missing)),
    ):
        done = product.run(*args)
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr.strip() and "Traceback" not in done.stderr


@pytest.mark.promise("cli.md", "Exit codes")
def test_a_problem_is_one_line_never_a_traceback(product: Product) -> None:
    """A problem a command runs into is one line `flowdeck COMMAND: what went wrong`, exit 1."""
    index = product.config / "flowdeck" / "secrets.json"
    index.mkdir(parents=True)  # the list of secret names cannot be read: it is a folder
    done = product.run("secret", "list")
    assert done.returncode == 1
    assert done.stderr == f"flowdeck secret: {index}: Is a directory\n"


@pytest.mark.promise("cli.md", "Exit codes")
def test_ctrl_c_cancels_a_run_and_exits_1(product: Product) -> None:
    """Ctrl+C during `flowdeck run` cancels the run, records it `cancelled`, and exits with 1."""
    import signal

    from tests.support.product import wait_until

    flow = product.write("slow.yaml", "flowdeck: 1\nname: Slow\nsteps:\n  pause: {do: wait, with: {duration: 60s}}\n")
    out = product.home.parent / "run.out"
    with out.open("w") as sink:
        proc = subprocess.Popen(product.command("run", str(flow)), stdout=sink, stderr=subprocess.STDOUT,
                                env=product.env, cwd=product.home)  # fmt: skip
    try:
        assert wait_until(lambda: "→ pause [wait]" in out.read_text("utf-8")), out.read_text("utf-8")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in out.read_text("utf-8")
    assert [r["status"] for r in product.history()] == ["cancelled"]


# -- validate -------------------------------------------------------------------------------------------------------
@pytest.mark.promise("cli.md", "validate")
def test_validate_prints_every_problem_and_ok_lines(product: Product) -> None:
    """Problems as file:line:col: message (errors on stderr), `FILE: OK` for good files; exit 1 if any error; -q
    prints errors only."""
    good, bad = product.write("hello.yaml", HELLO), product.write("bad.yaml", BAD)
    missing = product.workspace / "missing.yaml"
    done = product.run("validate", str(good), str(bad), str(missing))
    assert done.returncode == 1
    assert done.stdout == f"{good}: OK\n"
    assert done.stderr == (
        f"{bad}:4:7: steps.a.do: unknown block 'lgo' — did you mean 'log'?\n{missing}: no such file\n"
    )
    assert product.run("validate", str(good)).returncode == 0
    quiet = product.run("validate", "-q", str(good), str(bad))
    assert quiet.returncode == 1 and quiet.stdout == ""


@pytest.mark.promise("cli.md", "validate")
def test_validate_json_gives_problems_as_objects(product: Product) -> None:
    """`--json`: one JSON list of every problem, each with file, line, col, severity, message and path."""
    good, bad = product.write("hello.yaml", HELLO), product.write("bad.yaml", BAD)
    missing = product.workspace / "missing.yaml"
    done = product.run("validate", "--json", str(good), str(bad), str(missing))
    assert done.returncode == 1
    assert json.loads(done.stdout) == [
        {
            "file": str(bad),
            "line": 4,
            "col": 7,
            "severity": "error",
            "message": "steps.a.do: unknown block 'lgo' — did you mean 'log'?",
            "path": ["steps", "a", "do"],
        },
        {"file": str(missing), "line": None, "col": None, "severity": "error", "message": "no such file", "path": []},
    ]
    ok = product.run("validate", "--json", str(good))
    assert ok.returncode == 0 and json.loads(ok.stdout) == []


# -- run ------------------------------------------------------------------------------------------------------------
@pytest.mark.promise("cli.md", "run")
def test_run_shows_each_step_and_takes_vars(product: Product) -> None:
    """`flowdeck run FILE --var k=v` runs now, a line per step, the value read as YAML; exit 0 on success."""
    flow = product.write("hello.yaml", HELLO)
    done = product.run("run", str(flow), "--var", "who=[Ada, 3]")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("▶ Hello  (run ")
    assert lines[1:3] == ["  → greet [log]", "    greet: Hello, ['Ada', 3]!"]
    assert lines[3].startswith("  ✓ greet  ") and lines[4].startswith("✔ succeeded in ")
    assert [r["status"] for r in product.history()] == ["succeeded"]


@pytest.mark.promise("cli.md", "run")
def test_run_failure_json_quiet_and_no_history(product: Product) -> None:
    """A failed run exits 1 with `error in step 'ID': message` last on stderr; --json prints the record on stdout;
    -q prints only failures; --no-history leaves the run out of the history."""
    flow = product.write("fails.yaml", FAILS)
    done = product.run("run", str(flow), "--json")
    assert done.returncode == 1
    record = json.loads(done.stdout)
    assert (record["status"], record["error"]["step"], record["error"]["message"]) == ("failed", "boom", "it broke")
    assert done.stderr.splitlines()[-1] == "error in step 'boom': it broke"
    quiet = product.run("run", str(flow), "-q", "--no-history")
    assert quiet.returncode == 1
    assert quiet.stdout == "  ✗ boom: it broke\n"
    assert len(product.history()) == 1  # the --json run only


# -- blocks ---------------------------------------------------------------------------------------------------------
@pytest.mark.promise("cli.md", "blocks")
def test_blocks_lists_shows_one_and_writes_markdown_and_json(product: Product) -> None:
    """`blocks` lists every block, `blocks NAME` one, `--markdown` the docs page, `--json` the declarations; an
    unknown name is one line on stderr with a suggestion, exit 1."""
    listed = product.run("blocks")
    assert (
        listed.returncode == 0 and "program.run  (" in listed.stdout and "    command: any, required" in listed.stdout
    )
    one = product.run("blocks", "log")
    assert one.stdout.startswith("log  (Messages) — Log: ") and "program.run" not in one.stdout
    assert product.run("blocks", "--markdown").stdout.startswith("# Blocks\n")
    declared = json.loads(product.run("blocks", "--json").stdout)
    log = next(b for b in declared if b["type"] == "log")
    assert log["params"][0] == {
        "name": "message",
        "kind": "text",
        "required": True,
        "main": False,
        "choices": [],
        "help": "What to write; may use {{ expressions }}.",
    }
    assert log["params"][1]["default"] == "info" and log["ports"] == ["next"]
    assert len(declared) == listed.stdout.count("\n    ports: ")
    unknown = product.run("blocks", "lgo")
    assert (unknown.returncode, unknown.stdout, unknown.stderr) == (
        1,
        "",
        "unknown block 'lgo' — did you mean 'log'?\n",
    )


# -- open -----------------------------------------------------------------------------------------------------------
@pytest.mark.promise("cli.md", "open")
def test_open_a_missing_file(product: Product) -> None:
    """`flowdeck open FILE` with a file that does not exist: `flowdeck open: FILE: no such file`, exit 1."""
    missing = product.workspace / "missing.yaml"
    done = launcher(product, "open", str(missing))
    assert (done.returncode, done.stderr) == (1, f"flowdeck open: {missing}: no such file\n")
    there = launcher(product, "open", str(product.write("hello.yaml", HELLO)))
    assert there.returncode == 1 and "no display found" in there.stderr  # it went for the app


# -- history --------------------------------------------------------------------------------------------------------
@pytest.mark.promise("cli.md", "history")
def test_history_lists_filters_shows_and_clears(product: Product) -> None:
    """`history [WORKFLOW]` lists runs newest first; --limit, --status filter; --run ID (or a prefix) shows one step
    by step; --clear WORKFLOW deletes its runs and says how many; --json prints JSON."""
    hello, fails = product.write("hello.yaml", HELLO), product.write("fails.yaml", FAILS)
    for flow in (hello, fails, hello):
        product.run("run", str(flow))
    runs = product.history()
    assert [r["workflow"] for r in runs] == ["Hello", "Fails", "Hello"]
    listed = product.run("history").stdout.splitlines()
    assert [line.split()[0] for line in listed] == [r["run_id"] for r in runs]
    assert "failed" in listed[1] and listed[1].endswith("Fails  it broke")
    assert len(product.run("history", "--limit", "1").stdout.splitlines()) == 1
    assert product.run("history", "Hello", "--json").stdout.count('"run_id"') == 2
    assert [r["workflow"] for r in product.history("--status", "failed")] == ["Fails"]
    shown = product.run("history", "--run", runs[1]["run_id"][:8])
    assert shown.returncode == 0
    assert shown.stdout.startswith(f"run {runs[1]['run_id']}: Fails ({fails})\n  failed, started ")
    assert "\n  boom [fail] failed, " in shown.stdout and "    error: it broke" in shown.stdout
    assert json.loads(product.run("history", "--run", runs[1]["run_id"], "--json").stdout)["status"] == "failed"
    cleared = product.run("history", "--clear", "Hello")
    assert (cleared.returncode, cleared.stdout) == (0, "deleted 2 runs\n")
    assert [r["workflow"] for r in product.history()] == ["Fails"]
    assert product.run("history", "--clear").stdout == "deleted 1 run\n"
    assert product.run("history").stdout == "no runs recorded\n"


# -- secret ---------------------------------------------------------------------------------------------------------
@pytest.mark.promise("cli.md", "secret")
def test_secret_set_list_use_delete(product: Product) -> None:
    """`secret set NAME` stores the value read from stdin in the keyring; `list` names it; a run uses it masked;
    `delete NAME` removes it; deleting an unknown one exits 1."""
    stored = product.run("secret", "set", "api.key", input="s3cr3t-value\n", env=KEYRING)
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout == "secret 'api.key' stored; use it as secret: api.key or {{ secrets.api.key }}\n"
    assert product.run("secret", "list", env=KEYRING).stdout == "api.key\n"
    flow = product.write(
        "uses.yaml", "flowdeck: 1\nname: U\nsteps:\n  a: {do: log, with: {message: \"k={{ secrets['api.key'] }}\"}}\n"
    )
    ran = product.run("run", str(flow), env=KEYRING)
    assert ran.returncode == 0, ran.stderr
    assert "a: k=•••" in ran.stdout and "s3cr3t-value" not in ran.stdout
    assert product.run("secret", "delete", "api.key", env=KEYRING).stdout == "secret 'api.key' deleted\n"
    assert (
        product.run("secret", "list", env=KEYRING).stdout
        == "no secrets stored (add one with: flowdeck secret set NAME)\n"
    )
    gone = product.run("secret", "delete", "api.key", env=KEYRING)
    assert (gone.returncode, gone.stderr) == (1, "flowdeck: no secret named 'api.key'\n")


# -- daemon and status (docs/triggers.md) -----------------------------------------------------------------------------
@pytest.mark.promise("cli.md", "Commands")
def test_status_and_daemon_of_a_folder(product: Product) -> None:
    """`status DIR` shows each workflow's triggers and next run; `daemon DIR` runs its triggers without a window and
    stops with exit 0 on SIGTERM."""
    folder = product.home / "flows"
    product.write("tick.yaml", HELLO.replace("steps:", "triggers:\n  - schedule: {every: 10m}\nsteps:"), folder)
    product.write(
        "boot.yaml",
        HELLO.replace("name: Hello", "name: Boot").replace("steps:", "triggers:\n  - startup: {}\nsteps:"),
        folder,
    )
    status = product.run("status", str(folder))
    assert status.returncode == 0, status.stderr
    assert "tick.yaml" in status.stdout and "every 10 minutes" in status.stdout and "next run: " in status.stdout
    from tests.support.product import wait_until

    with product.daemon(str(folder)) as daemon:
        assert wait_until(lambda: [r for r in rows_when_ready(product) if r["status"] == "succeeded"]), daemon.log
        assert daemon.stop() == 0
    assert [r["workflow"] for r in product.history_rows()] == ["Boot"]
