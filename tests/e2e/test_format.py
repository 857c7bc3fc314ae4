"""`flowdeck validate` (and `run`) on workflow files: the promises of docs/format.md, one line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.product import Product

HEAD = "flowdeck: 1\nname: Format\n"
LOG = "{do: log, with: {message: hi}}"


def validate(product: Product, name: str, text: str | bytes) -> tuple[int, list[str], Path]:
    """Exit code and every line `flowdeck validate` printed; never a traceback."""
    path = product.workspace / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        product.write(name, text)
    done = product.run("validate", str(path))
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, [line for line in (done.stderr + done.stdout).splitlines() if line], path


@pytest.mark.promise("format.md", "Top-level keys")
def test_an_unknown_top_level_key_is_an_error_with_a_did_you_mean(product: Product) -> None:
    """Anything but the listed top-level keys (and `x-…` keys) is an error with a did-you-mean."""
    code, lines, path = validate(product, "top.yaml", HEAD + f"x-mine: kept\nstesp:\n  a: {LOG}\n")
    assert code == 1
    assert any(
        line.startswith(f"{path}:4:1: stesp: unknown key — did you mean 'steps'? (top-level keys: flowdeck, name, ")
        for line in lines
    )


@pytest.mark.promise("format.md", "Top-level keys")
def test_a_missing_format_version_is_read_as_the_current_one_with_a_warning(product: Product) -> None:
    """A file without `flowdeck:` is read as the current version, with a warning."""
    code, lines, path = validate(product, "noversion.yaml", f"name: Old\nsteps:\n  a: {LOG}\n")
    assert code == 0
    assert lines == [
        f"{path}:1:1: warning: flowdeck: format version missing; reading it as version 1",
        f"{path}: OK",
    ]


@pytest.mark.promise("format.md", "Steps")
def test_step_ids_are_names_of_at_most_128_characters_and_not_reserved(product: Product) -> None:
    """A step id uses letters, digits and _, starts with a letter, has at most 128 characters; fail and continue
    are reserved."""
    text = HEAD + f"steps:\n  9lives: {LOG}\n  fail: {LOG}\n  {'b' * 200}: {LOG}\n"
    code, lines, path = validate(product, "ids.yaml", text)
    assert code == 1
    errors = [line for line in lines if ": warning: " not in line]
    assert errors == [
        f"{path}:4:3: steps.9lives: a step id uses letters, digits and _ only, and starts with a letter",
        f"{path}:5:3: steps.fail: 'fail' is reserved (on_error: fail); choose another step id",
        f"{path}:6:3: steps.{'b' * 59}…: a step id has at most 128 characters; this one has 200",
    ]


@pytest.mark.promise("format.md", "Steps")
def test_switch_port_names_are_text_and_written_once(product: Product) -> None:
    """Port names are text: `next: {1: a, "1": b}` names the port 1 twice and is refused."""
    text = HEAD + (
        "steps:\n  s:\n    do: switch\n    with: {value: '{{ 1 }}'}\n    next: {1: a, \"1\": b}\n"
        f"  a: {LOG}\n  b: {LOG}\n"
    )
    code, lines, path = validate(product, "ports.yaml", text)
    assert code == 1
    assert (
        lines[0] == f"{path}:7:18: steps.s.next.1: port '1' is the same port as 1 above (ports are text); write it once"
    )


@pytest.mark.promise("format.md", "Steps")
def test_loops_through_next_are_refused(product: Product) -> None:
    """Loops through `next` are refused (`steps a → b → a form a loop`)."""
    text = HEAD + "steps:\n  a: {do: log, with: {message: a}, next: b}\n  b: {do: log, with: {message: b}, next: a}\n"
    code, lines, path = validate(product, "loop.yaml", text)
    assert code == 1
    assert lines == [
        f"{path}:5:36: steps.b.next: steps a → b → a form a loop; use a repeat or for_each block to run steps more "
        "than once"
    ]


@pytest.mark.promise("format.md", "Steps")
def test_retry_on_takes_error_kinds_only(product: Product) -> None:
    """`retry.on` lists error kinds; any other word is refused with a did-you-mean."""
    text = HEAD + 'steps:\n  a:\n    do: log\n    with: {message: hi}\n    retry: {attempts: 2, "on": [http, timout]}\n'
    code, lines, path = validate(product, "kinds.yaml", text)
    assert code == 1
    assert lines[0].startswith(f"{path}:7:26: steps.a.retry.on: unknown error kind 'timout' — did you mean 'timeout'?")


@pytest.mark.promise("format.md", "Problems")
def test_every_problem_is_one_line_with_file_line_and_column_all_at_once(product: Product) -> None:
    """Every problem names the file, line and column, one line each, all of them at once (errors on stderr, then
    warnings on stdout); a duplicate key names the line of the first."""
    text = (
        "flowdeck: 1\nname: A\nname: B\nsteps:\n  fetch:\n    do: http.reqest\n"
        "  save:\n    do: file.write\n    with: {content: x}\n"
    )
    code, lines, path = validate(product, "many.yaml", text)
    assert code == 1
    assert lines == [
        f"{path}:3:1: duplicate key 'name' (first written at line 2)",
        f"{path}:6:5: steps.fetch.do: unknown block 'http.reqest' — did you mean 'http.request'?",
        f"{path}:9:5: steps.save.with.path: required (The file to write.)",
        f"{path}:7:3: warning: steps.save: never runs: no wire leads here from the first step 'fetch'",
    ]


@pytest.mark.promise("format.md", "Problems")
def test_at_most_100_problems_are_listed_and_the_rest_counted(product: Product) -> None:
    """At most 100 problems are listed for one file; the rest are counted in a last line."""
    steps = "".join(f"  s{i}: {{do: nosuch{i}}}\n" for i in range(300))
    code, lines, path = validate(product, "crowded.yaml", HEAD + "steps:\n" + steps)
    assert code == 1
    assert len(lines) == 101
    assert f"{path}: … and 499 more problems" in lines


@pytest.mark.promise("format.md", "Problems")
def test_the_loader_refuses_tags_binary_and_non_utf8_and_keeps_dates_as_text(product: Product) -> None:
    """No tags that construct objects, no binary or non-UTF-8 data; dates stay text exactly as written."""
    code, lines, path = validate(
        product, "tag.yaml", HEAD + "vars: {x: !!python/object:os.system ls}\nsteps:\n  a: {do: log}\n"
    )
    assert (code, lines) == (
        1,
        [f"{path}:3:11: the tag '!!python/object:os.system' is not allowed; a workflow file holds plain data only"],
    )
    code, lines, path = validate(product, "bin.yaml", b"flowdeck: 1\n\x00\x01")
    assert (code, lines) == (1, [f"{path}:1:1: this is not a text file (binary data at byte 12)"])
    code, lines, path = validate(product, "latin.yaml", "flowdeck: 1\nname: Caf\xe9\n".encode("latin-1"))
    assert (code, lines) == (1, [f"{path}:2:10: not UTF-8 text: byte 0xe9 cannot be read"])
    text = (
        HEAD
        + "vars: {day: 2026-12-01}\nsteps:\n  w: {do: file.write, with: {path: day.txt, content: '{{ vars.day }}'}}\n"
    )
    path = product.write("date.yaml", text)
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 0, ran.stderr
    assert (path.parent / "day.txt").read_text() == "2026-12-01"


@pytest.mark.promise("format.md", "Problems")
def test_on_and_off_stay_words_as_keys_and_booleans_as_values(product: Product) -> None:
    """Keys are names: `on:` stays the word (so `retry: {on: [http]}` works unquoted), while as a value `no` is
    false."""
    text = HEAD + "steps:\n  a:\n    do: log\n    with: {message: no}\n    retry: {attempts: 2, on: [http]}\n"
    code, lines, path = validate(product, "on.yaml", text)
    assert (code, lines) == (1, [f"{path}:6:12: steps.a.with.message: expected text, got true/false False"])


@pytest.mark.promise("format.md", "Limits")
def test_more_than_10000_steps_is_refused_naming_the_limit(product: Product) -> None:
    """More than 10,000 steps in one workflow is refused before the file is built, naming the limit."""
    steps = "".join(f"  s{i}: {LOG}\n" for i in range(10_001))
    code, lines, path = validate(product, "huge.yaml", HEAD + "steps:\n" + steps)
    assert (code, lines) == (
        1,
        [
            f"{path}:3:1: steps: more than 10,000 steps; a workflow holds at most 10,000 (split the work into "
            "workflows that call each other with workflow.run)"
        ],
    )


@pytest.mark.promise("format.md", "Limits")
def test_a_key_over_yamls_1024_characters_says_so(product: Product) -> None:
    """A plain key of more than 1,024 characters (YAML's own limit) is named as such."""
    code, lines, path = validate(product, "key.yaml", HEAD + "steps:\n  " + "a" * 1100 + f": {LOG}\n")
    assert (code, lines) == (
        1,
        [
            f"{path}:4:1: a key of 1,100 characters: YAML reads keys of at most 1,024 characters (and a step id may "
            "have at most 128)"
        ],
    )


@pytest.mark.promise("format.md", "Limits")
def test_aliases_that_expand_beyond_10_mb_of_text_are_refused_naming_the_line(product: Product) -> None:
    """What anchors and aliases expand to is at most 250,000 values and 10 MB of text; the message names the line."""
    text = HEAD + f"vars:\n  big: &big {'x' * 100_000}\n  copies: [{', '.join(['*big'] * 200)}]\nsteps:\n  a: {LOG}\n"
    code, lines, path = validate(product, "bomb.yaml", text)
    assert (code, lines) == (
        1,
        [
            f"{path}:5:11: anchors and aliases expand to more than 10 MB of text (in the value that starts at line "
            "5); this looks like a YAML bomb and is refused"
        ],
    )


@pytest.mark.promise("format.md", "Values and their bounds")
def test_durations_are_finite_and_at_most_366_days(product: Product) -> None:
    """Durations are from 0 to 366 days and finite; a step's timeout is longer than 0; the message names the
    setting and the bound, never a traceback."""
    text = HEAD + (
        f"steps:\n  w:\n    do: wait\n    with: {{duration: 1{'0' * 400}}}\n    timeout: .inf\n"
        "    retry: {attempts: 3, backoff: .nan}\n    next: x\n"
        "  x: {do: log, with: {message: hi}, timeout: 0}\n"
        "triggers:\n  - schedule: {every: 400d}\n"
    )
    code, lines, path = validate(product, "durations.yaml", text)
    assert code == 1
    assert lines == [
        f"{path}:6:12: steps.w.with.duration: 1e400 s is longer than the largest duration (366 days)",
        f"{path}:7:5: steps.w.timeout: infinity s is longer than the largest timeout (366 days)",
        f"{path}:8:26: steps.w.retry.backoff: expected a duration like 30s, 5m or 1h, got nan (not a number)",
        f"{path}:10:37: steps.x.timeout: the timeout must be longer than 0s, got 0s",
        f"{path}:12:16: triggers[0].schedule.every: '400d' is longer than the largest interval (366 days)",
    ]


@pytest.mark.promise("format.md", "Values and their bounds")
def test_a_duration_an_expression_gives_has_the_same_bound_and_words(product: Product) -> None:
    """A duration that an expression gives when the step runs has the same bound and fails the step with the same
    words."""
    path = product.write(
        "pause.yaml", HEAD + "vars: {pause: 1s}\nsteps:\n  w: {do: wait, with: {duration: '{{ vars.pause }}'}}\n"
    )
    ran = product.run("run", str(path), "--no-history", "--var", "pause=400d")
    assert ran.returncode == 1
    assert "steps.w.with.duration: '400d' is longer than the largest duration (366 days)" in ran.stderr
    code, lines, _ = validate(product, "literal.yaml", HEAD + "steps:\n  w: {do: wait, with: {duration: 400d}}\n")
    assert code == 1 and lines[0].endswith(
        "steps.w.with.duration: '400d' is longer than the largest duration (366 days)"
    )


@pytest.mark.promise("format.md", "Values and their bounds")
def test_numbers_counts_dates_and_paths_have_bounds(product: Product) -> None:
    """Number parameters are finite and within ±10^15; retry.attempts 1 to 100; a schedule's `at` in 1970–9999;
    a literal path cannot hold a NUL character."""
    text = HEAD + (
        "triggers:\n  - schedule: {at: '1500-01-01 00:00'}\n"
        "steps:\n  c:\n    do: state.increment\n    with: {key: n, by: .inf}\n    retry: 1000\n    next: w\n"
        '  w: {do: file.write, with: {path: "a\\0b", content: x}}\n'
    )
    code, lines, path = validate(product, "numbers.yaml", text)
    assert code == 1
    assert lines == [
        f"{path}:4:16: triggers[0].schedule.at: the year 1500 is outside 1970–9999",
        f"{path}:8:20: steps.c.with.by: infinity is beyond the largest number a parameter takes (±10^15)",
        f"{path}:9:5: steps.c.retry.attempts: expected a whole number from 1 to 100, got 1000",
        f"{path}:11:30: steps.w.with.path: a path cannot hold a NUL character (\\0, at character 2): 'a\\x00b'",
    ]


@pytest.mark.promise("format.md", "Versions and migrations")
def test_format_0_is_migrated_and_a_step_id_written_twice_is_a_duplicate_key(product: Product) -> None:
    """A format-0 file is read (and runs); a step id written twice in its list is a duplicate key, as in format 1;
    a file from a newer Flowdeck is refused."""
    old = "flowdeck: 0\nname: Old\nsteps:\n  - id: a\n    type: log\n    params: {message: one}\n"
    path = product.write("old.yaml", old)
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 0 and "one" in ran.stdout, ran.stderr
    code, lines, path = validate(product, "twice.yaml", old + "  - id: a\n    type: log\n    params: {message: two}\n")
    assert (code, lines) == (1, [f"{path}:7:9: duplicate key 'a' (first written at line 4)"])
    code, lines, path = validate(product, "new.yaml", f"flowdeck: 9\nname: New\nsteps:\n  a: {LOG}\n")
    assert code == 1
    assert lines == [
        f"{path}:1:1: flowdeck: written by a newer Flowdeck (format 9); this version reads formats up to 1"
    ]
