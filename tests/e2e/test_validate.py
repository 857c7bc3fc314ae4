"""`flowdeck validate` on expressions (docs/expressions.md): mistakes in templates are found before a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.product import Product

HEAD = "flowdeck: 1\nname: Checked\n"


def validate(product: Product, name: str, text: str) -> tuple[int, list[str], Path]:
    """Exit code and every line `flowdeck validate` printed (stderr for errors, stdout for warnings and OK)."""
    path = product.write(name, text)
    done = product.run("validate", str(path))
    lines = [line for line in (done.stderr + done.stdout).splitlines() if line]
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, lines, path


@pytest.mark.promise("expressions.md", "Checked before a run")
def test_broken_syntax_is_an_error_at_its_line_and_column(product: Product) -> None:
    """Broken syntax, `{{ vars.greeting }`, is an error at the file, line and column of the parameter."""
    code, lines, path = validate(
        product,
        "syntax.yaml",
        HEAD + "vars: {greeting: hi}\nsteps:\n  a:\n    do: log\n    with: {message: '{{ vars.greeting }'}\n",
    )
    assert code == 1
    assert lines == [
        f"{path}:7:12: steps.a.with.message: expression syntax error: unexpected '}}' in '{{{{ vars.greeting }}'"
    ]


@pytest.mark.promise("expressions.md", "Checked before a run")
def test_a_step_that_does_not_exist_is_an_error_with_a_did_you_mean(product: Product) -> None:
    """A step that does not exist, `{{ steps.sav.path }}`, is an error: `steps.sav: there is no step 'sav' — did you
    mean 'save'?`; the workflow does not run."""
    text = HEAD + (
        "steps:\n  save:\n    do: file.write\n    with: {path: out.txt, content: hi}\n    next: tell\n"
        "  tell:\n    do: log\n    with: {message: 'saved {{ steps.sav.path }}'}\n"
    )
    code, lines, path = validate(product, "missing.yaml", text)
    assert code == 1
    assert lines == [f"{path}:10:12: steps.tell.with.message: steps.sav: there is no step 'sav' — did you mean 'save'?"]
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 1 and "there is no step 'sav'" in ran.stderr
    assert not (path.parent / "out.txt").exists()


@pytest.mark.promise("expressions.md", "Checked before a run")
def test_an_output_the_block_does_not_declare_is_an_error_with_a_did_you_mean(product: Product) -> None:
    """An output the block does not declare, `{{ steps.fetch.jsn }}`, is an error naming the block's outputs."""
    text = HEAD + (
        "steps:\n  fetch:\n    do: http.request\n    with: {url: 'http://127.0.0.1:9/'}\n    next: show\n"
        "  show:\n    do: log\n    with: {message: '{{ steps.fetch.jsn.total }}'}\n"
    )
    code, lines, path = validate(product, "output.yaml", text)
    assert code == 1
    assert lines == [
        f"{path}:10:12: steps.show.with.message: steps.fetch.jsn: http.request has no output 'jsn' — did you mean "
        "'json'? (its outputs: status, ok, headers, text, json, url, elapsed)"
    ]


@pytest.mark.promise("expressions.md", "Checked before a run")
def test_a_name_expressions_cannot_read_is_an_error(product: Product) -> None:
    """A name expressions cannot read, `{{ step.a }}`, is an error listing the names they can."""
    code, lines, path = validate(
        product, "name.yaml", HEAD + "steps:\n  a:\n    do: log\n    with: {message: '{{ step.a }}'}\n"
    )
    assert code == 1
    assert lines == [
        f"{path}:6:12: steps.a.with.message: 'step' is not defined — did you mean 'steps'? "
        "(known: vars, steps, trigger, env, secrets, now, run, error, loop)"
    ]


@pytest.mark.promise("expressions.md", "Checked before a run")
def test_loop_and_error_are_errors_where_they_are_not_set(product: Product) -> None:
    """`loop` outside the body of a for_each or repeat, and `error` outside an error route, are errors; inside (a
    body, repeat's `while`, the steps after on_error or the on_failure step) they are fine."""
    bad = HEAD + "steps:\n  a:\n    do: log\n    with: {message: '{{ loop.item }} {{ error.message }}'}\n"
    code, lines, path = validate(product, "outside.yaml", bad)
    assert code == 1
    assert lines == [
        f"{path}:6:12: steps.a.with.message: loop is only set in the body of a for_each or repeat step; "
        "step a is not in one",
        f"{path}:6:12: steps.a.with.message: error is only set on an error route (the steps after on_error: <step>, "
        "or on_failure); step a is not on one",
    ]
    good = HEAD + (
        "on_failure: told\nsteps:\n  each:\n    do: for_each\n    with: {items: [1, 2]}\n"
        "    next: {body: show, done: again}\n"
        "  show: {do: log, with: {message: '{{ loop.item }}'}}\n"
        "  again:\n    do: repeat\n    with: {while: '{{ loop.index < 2 }}', max: 3}\n    next: {done: risky}\n"
        "  risky: {do: fail, with: {message: nope}, on_error: handle}\n"
        "  handle: {do: log, with: {message: '{{ error.message }}'}}\n"
        "  told: {do: log, with: {message: '{{ error.kind }}'}}\n"
    )
    code, lines, path = validate(product, "inside.yaml", good)
    assert (code, lines) == (0, [f"{path}: OK"])


@pytest.mark.promise("expressions.md", "Checked before a run")
def test_a_step_read_before_it_can_have_run_is_a_warning(product: Product) -> None:
    """A step that cannot have run yet on some path (a parallel branch) is a warning:
    `steps.b is read by step a, which can run before b`; the file is still valid."""
    text = HEAD + (
        "steps:\n  start: {do: log, with: {message: go}, next: [a, b]}\n"
        "  a: {do: log, with: {message: '{{ steps.b.message }}'}}\n"
        "  b: {do: log, with: {message: b}}\n"
    )
    code, lines, path = validate(product, "order.yaml", text)
    assert code == 0
    assert lines == [
        f"{path}:5:23: warning: steps.a.with.message: steps.b is read by step a, which can run before b",
        f"{path}: OK",
    ]


@pytest.mark.promise("expressions.md", "Checked before a run")
def test_an_undeclared_var_is_a_warning_since_var_may_give_it(product: Product) -> None:
    """A var not declared under `vars:` nor set by a `set` step is a warning with a did-you-mean; `--var` may give
    it, and then the run succeeds."""
    text = HEAD + (
        "vars: {greeting: hi}\nsteps:\n  a:\n    do: file.write\n"
        "    with: {path: out.txt, content: '{{ vars.greting }} {{ vars.later }}'}\n    next: b\n"
        "  b: {do: set, with: {values: {later: 1}}}\n"
    )
    code, lines, path = validate(product, "vars.yaml", text)
    assert code == 0
    assert lines == [
        f"{path}:7:27: warning: steps.a.with.content: vars.greting is not declared under vars: or set by a set "
        "step — did you mean 'greeting'? (a run fails unless --var or a calling workflow gives it)",
        f"{path}: OK",
    ]
    ran = product.run("run", str(path), "--no-history", "--var", "greting=hello", "--var", "later=2")
    assert ran.returncode == 0, ran.stderr
    assert (path.parent / "out.txt").read_text() == "hello 2"


@pytest.mark.promise("expressions.md", "Checked before a run")
def test_workflow_run_files_and_inputs_are_checked(product: Product) -> None:
    """A `workflow.run` file that does not exist (relative to this workflow's folder) and an input the other
    workflow does not declare are warnings."""
    product.write("child.yaml", HEAD + "vars: {name: x}\nsteps:\n  s: {do: log, with: {message: '{{ vars.name }}'}}\n")
    text = HEAD + (
        "steps:\n  a:\n    do: workflow.run\n    with: {path: child.yaml, inputs: {nme: 1}}\n    next: b\n"
        "  b:\n    do: workflow.run\n    with: {path: chld.yaml}\n"
    )
    code, lines, path = validate(product, "parent.yaml", text)
    assert code == 0
    assert lines == [
        f"{path}:6:30: warning: steps.a.with.inputs.nme: child.yaml does not declare the var 'nme' — did you mean "
        "'name'? (its vars: name)",
        f"{path}:10:12: warning: steps.b.with.path: there is no workflow file 'chld.yaml' (looked for "
        f"{path.parent / 'chld.yaml'}); the step fails unless it is made",
        f"{path}: OK",
    ]


@pytest.mark.promise("expressions.md", "Checked before a run")
def test_guarded_names_and_names_a_template_sets_are_not_flagged(product: Product) -> None:
    """A guarded name (`steps.maybe | default(...)`, `x if steps.b is defined`) is not flagged, nor are names a
    template sets itself; the run renders them."""
    text = HEAD + (
        "steps:\n  a:\n    do: file.write\n    with:\n      path: out.txt\n"
        "      content: \"{{ steps.maybe | default('none') }}{% for f in [1, 2] %} {{ f }}{{ loop.index }}"
        "{% endfor %}{% set total = 3 %} {{ total }}{{ ' b' if steps.b is defined }}\"\n"
    )
    code, lines, path = validate(product, "guarded.yaml", text)
    assert (code, lines) == (0, [f"{path}: OK"])
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 0, ran.stderr
    assert (path.parent / "out.txt").read_text() == "none 11 22 3"


@pytest.mark.promise("expressions.md", "What an expression can read")
def test_an_expression_reads_vars_steps_trigger_env_now_and_run(product: Product) -> None:
    """Expressions read `vars`, `steps.<id>`, `trigger`, `env`, `now` and `run`; such a file validates and runs."""
    text = HEAD + (
        "vars: {who: world}\nsteps:\n  first: {do: log, with: {message: one}, next: write}\n"
        "  write:\n    do: file.write\n    with:\n      path: out.txt\n"
        '      content: "{{ vars.who }}|{{ steps.first.message }}|{{ trigger | length }}|{{ env.HOME }}|'
        '{{ now.year > 2000 }}|{{ run.workflow }}"\n'
    )
    code, lines, path = validate(product, "read.yaml", text)
    assert (code, lines) == (0, [f"{path}: OK"])
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 0, ran.stderr
    assert (path.parent / "out.txt").read_text() == f"world|one|0|{product.home}|True|Checked"


@pytest.mark.promise("expressions.md", "Expressions")
def test_one_expression_keeps_its_type_and_mixed_text_renders_to_text(product: Product) -> None:
    """A value that is exactly one expression keeps its type (`"{{ 3 }}"` is the number 3); text mixed with
    expressions renders to a string; values without `{{` are used as written; `vars.items` is the variable."""
    text = HEAD + (
        "vars: {items: [a, b]}\nsteps:\n  n: {do: set, with: {values: {n: '{{ 3 }}'}}, next: write}\n"
        "  write:\n    do: file.write\n"
        "    with: {path: out.txt, content: '{{ vars.n + 1 }} files, {{ vars.items | join(\"+\") }}, as {written}'}\n"
    )
    code, lines, path = validate(product, "types.yaml", text)
    assert (code, lines) == (0, [f"{path}: OK"])
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 0, ran.stderr
    assert (path.parent / "out.txt").read_text() == "4 files, a+b, as {written}"


@pytest.mark.promise("expressions.md", "Filters")
def test_flowdecks_filters_and_timedelta_work(product: Product) -> None:
    """`fromjson`, `date`, `ago`, `basename`, `stem`, `suffix` and the `timedelta` global work in expressions."""
    text = HEAD + (
        "steps:\n  write:\n    do: file.write\n    with:\n      path: out.txt\n"
        "      content: \"{{ ('{\\\"a\\\": 2}' | fromjson).a }} {{ 0 | date('%Y') }} "
        "{{ '/x/report.pdf' | basename }} {{ '/x/report.pdf' | stem }}{{ '/x/report.pdf' | suffix }} "
        '{{ (now - (now | ago(days=2))).days }} {{ timedelta(hours=1).seconds }}"\n'
    )
    code, lines, path = validate(product, "filters.yaml", text)
    assert (code, lines) == (0, [f"{path}: OK"])
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 0, ran.stderr
    assert (path.parent / "out.txt").read_text() == "2 1970 report.pdf report.pdf 2 3600"


@pytest.mark.promise("expressions.md", "Errors and the sandbox")
def test_a_template_error_names_the_step_and_parameter_and_the_sandbox_refuses_internals(product: Product) -> None:
    """A template error names the step and parameter; reaching into Python internals is refused by the sandbox and
    fails the step cleanly."""
    text = HEAD + (
        "vars: {total: 1}\nsteps:\n  save:\n    do: file.write\n"
        '    with: {path: out.txt, content: "{{ vars.total.totl }}"}\n'
    )
    path = product.write("err.yaml", text)
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 1
    assert "steps.save.with.content: 'totl' is not defined here in '{{ vars.total.totl }}'" in ran.stderr
    sandbox = HEAD + "steps:\n  a: {do: log, with: {message: \"{{ ''.__class__.__mro__ }}\"}}\n"
    path = product.write("sandbox.yaml", sandbox)
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 1 and "Traceback" not in ran.stderr
    assert "steps.a.with.message: not allowed in an expression" in ran.stderr


@pytest.mark.promise("expressions.md", "What an expression can read")
def test_a_secret_that_cannot_be_read_fails_the_step_naming_it(product: Product) -> None:
    """A secret that cannot be read (no keyring backend, or no such entry) fails the step with a message naming the
    secret."""
    text = HEAD + "steps:\n  a: {do: log, with: {message: '{{ secrets.shop_token }}'}}\n"
    code, lines, path = validate(product, "secret.yaml", text)
    assert (code, lines) == (0, [f"{path}: OK"])
    ran = product.run("run", str(path), "--no-history")
    assert ran.returncode == 1 and "Traceback" not in ran.stderr
    assert "secret 'shop_token'" in ran.stderr
