"""Promises of docs/expressions.md, held by real `flowdeck run` runs: types, names, filters, errors, secrets."""

from __future__ import annotations

import json

import pytest

from tests.e2e.flows import run_json
from tests.support.filekeyring import BACKEND
from tests.support.product import Product

VALUES = """flowdeck: 1
name: Expressions
vars: {n: 3, items: [x, y], when: "2026-11-22T08:30:00"}
steps:
  list:
    do: set
    with:
      values:
        files: "{{ vars['items'] }}"
        count: "{{ 3 }}"
        mixed: "{{ vars.n }} files"
        plain: "as {written}"
        keyfirst: "{{ vars.items }}"
    next: types
  types:
    do: python.run
    with:
      code: |
        names = ('files', 'count', 'mixed', 'plain', 'keyfirst')
        result = {k: type(v).__name__ for k, v in vars.items() if k in names}
    next: reads
  reads:
    do: text.template
    with:
      template: >-
        {{ steps.list.values.count }}|{{ trigger | tojson }}|{{ env.FLOWDECK_E2E }}|{{ run.workflow }}|{{ run.source
        }}|{{ now.year > 2000 }}
    next: filters
  filters:
    do: set
    with:
      values:
        parsed: "{{ '{\\"a\\": [1, 2]}' | fromjson }}"
        day: "{{ vars.when | date('%Y-%m-%d') }}"
        epoch: "{{ 31536000 | date('%Y') }}"
        ago: "{{ now | ago(days=30) }}"
        base: "{{ '/a/b/report.tar.gz' | basename }}"
        dir: "{{ '/a/b/report.pdf' | dirname }}"
        stem: "{{ '/a/b/report.pdf' | stem }}"
        suffix: "{{ '/a/b/report.pdf' | suffix }}"
        home: "{{ '~/Reports' | expanduser }}"
        later: "{{ (now + timedelta(hours=1)) > now }}"
        builtins: >-
          {{ [3, 1, 2] | sort | join(',') }} {{ 'ab' | upper }} {{ 2.567 | round(1) }} {{ none | default('d') }}
          {{ [1,2] | length }}
    next: loopy
  loopy:
    do: for_each
    with: {items: [10, 20]}
    next: {body: inner}
  inner:
    do: text.template
    with: {template: "{{ loop.item }}/{{ loop.index }}/{{ loop.first }}"}
"""


@pytest.mark.promise("expressions.md", "Expressions")
@pytest.mark.promise("expressions.md", "What an expression can read")
@pytest.mark.promise("expressions.md", "Filters")
def test_expressions_keep_types_read_the_run_and_filter(product: Product) -> None:
    """A value that is exactly one expression keeps its type, mixed text renders to a string, values without {{ are
    used as written, dotted names look up keys first; expressions read vars, steps, trigger, env, run, now and loop;
    the extra filters (fromjson, date, ago, basename, dirname, stem, suffix, expanduser) and timedelta work."""
    done, record = run_json(product, "expressions.yaml", VALUES, env={"FLOWDECK_E2E": "from-env"})
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
    s = record["steps"]
    assert s["list"]["values"] == {
        "files": ["x", "y"],
        "count": 3,
        "mixed": "3 files",
        "plain": "as {written}",
        "keyfirst": ["x", "y"],  # vars.items is the variable, not the dict method
    }
    assert s["types"]["result"] == {"files": "list", "count": "int", "mixed": "str", "plain": "str", "keyfirst": "list"}
    assert s["reads"]["text"] == "3|{}|from-env|Expressions|cli|True"
    f = s["filters"]["values"]
    assert (f["parsed"], f["day"], f["epoch"]) == ({"a": [1, 2]}, "2026-11-22", "1971")
    assert (f["base"], f["dir"], f["stem"], f["suffix"]) == ("report.tar.gz", "/a/b", "report", ".pdf")
    assert f["home"] == f"{product.home}/Reports"
    assert f["later"] is True and f["ago"][:2] == "20"
    assert f["builtins"] == "1,2,3 AB 2.6 None 2"
    assert [r["text"] for r in s["loopy"]["results"]] == ["10/0/True", "20/1/False"]


BROKEN = {
    "typo.yaml": (
        "vars: {total: 3}\nsteps:\n  save:\n    do: file.write\n    with: {path: '{{ vars.totl }}', content: x}\n",
        "save: steps.save.with.path: 'totl' is not defined here in '{{ vars.totl }}'",
    ),
    "mro.yaml": (
        "steps:\n  peek:\n    do: log\n    with: {message: \"{{ ''.__class__.__mro__ }}\"}\n",
        "peek: steps.peek.with.message: not allowed in an expression (access to attribute '__class__' of 'str' "
        "object is unsafe.) in \"{{ ''.__class__.__mro__ }}\"",
    ),
    "globals.yaml": (
        "steps:\n  peek:\n    do: log\n    with: {message: '{{ cycler.__init__.__globals__ }}'}\n",
        "peek: steps.peek.with.message: not allowed in an expression (access to attribute '__init__' of 'type' "
        "object is unsafe.) in '{{ cycler.__init__.__globals__ }}'",
    ),
}


@pytest.mark.promise("expressions.md", "Errors and the sandbox")
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_template_errors_and_the_sandbox_name_the_step_and_parameter(product: Product, name: str) -> None:
    """A template error names the step and parameter; reaching into Python internals is refused by the sandbox and
    fails the step cleanly with such a message."""
    text, message = BROKEN[name]
    flow = product.write(name, f"flowdeck: 1\nname: Broken\n{text}")
    done = product.run("run", "--no-history", str(flow))
    assert done.returncode == 1
    assert f"  ✗ {message}" in done.stdout.splitlines()
    assert "Traceback" not in done.stdout + done.stderr


SECRETS = """flowdeck: 1
name: Secrets
steps:
  use:
    do: log
    with: {message: "token is {{ secrets.api_token }}"}
    next: missing
  missing:
    do: log
    with: {message: "{{ secrets.nope }}"}
"""


@pytest.mark.promise("expressions.md", "What an expression can read")
def test_secrets_are_read_from_the_keyring_and_redacted(product: Product) -> None:
    """secrets.<name> is read from the keyring, its value is redacted from events, history and logs, and a secret
    that cannot be read fails the step with a message naming the secret."""
    env = {"PYTHON_KEYRING_BACKEND": BACKEND}
    assert product.run("secret", "set", "api_token", input="tok-XYZ-123\n", env=env).returncode == 0
    flow = product.write("secrets.yaml", SECRETS)
    done = product.run("run", str(flow), env=env)
    assert done.returncode == 1
    assert "    use: token is •••" in done.stdout.splitlines()
    assert any(
        line.startswith(
            "  ✗ missing: steps.missing.with.message: secret 'nope' is not set; add it in Flowdeck's secrets or with "
            "'flowdeck secret set nope', or "
        )
        for line in done.stdout.splitlines()
    ), done.stdout
    history = json.dumps([product.history_rows("SELECT * FROM steps"), product.history()], ensure_ascii=False)
    assert "token is •••" in history
    assert "tok-XYZ-123" not in done.stdout + done.stderr + history
