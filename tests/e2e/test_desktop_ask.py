"""Ask-the-person blocks in a headless run (`flowdeck run`): the default is taken, or the step fails in one line."""

from __future__ import annotations

import pytest

from tests.support.product import Product

FLOW = """flowdeck: 1
name: Ask
steps:
  q:
    do: ask.message
    with: {{title: "Send the report?", buttons: [Send, Skip]{default}}}
    next:
      Send: sent
      Skip: name
  sent:
    do: log
    with: {{message: "SENT"}}
  name:
    do: ask.input
    with: {{title: "Your name?", default: Ann}}
    next: form
  form:
    do: ask.form
    with: {{title: Details, fields: [{{name: age, kind: number, default: 30}}, {{name: city, default: Rome}}]}}
    next: last
  last:
    do: log
    with:
      message: "NAME={{{{ steps.name.answer }}}} ASKED={{{{ steps.q.answered }}}} CITY={{{{ steps.form.values.city }}}}"
"""


@pytest.mark.promise("desktop.md", "Asking the person")
def test_a_headless_run_takes_the_defaults_and_the_default_button_picks_the_port(product: Product) -> None:
    """With nobody to ask, each ask block takes its default; the default button of ask.message picks its port."""
    flow = product.write("ask.yaml", FLOW.format(default=", default: Skip"))
    done = product.run("run", str(flow))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "NAME=Ann ASKED=False CITY=Rome" in done.stdout
    assert "SENT" not in done.stdout


@pytest.mark.promise("desktop.md", "Asking the person")
def test_a_headless_run_without_a_default_fails_in_one_line(product: Product) -> None:
    """An ask block with no default fails a headless run with one line saying why and what to do."""
    flow = product.write("ask.yaml", FLOW.format(default=""))
    done = product.run("run", str(flow))
    assert done.returncode == 1
    assert (
        "error in step 'q': ask.message asks the person, but this run has nobody to ask (it is not in the Flowdeck "
        "app): give it a default to take when there is no desktop"
    ) in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.promise("desktop.md", "Asking the person")
def test_a_form_field_of_an_unknown_kind_is_found_before_the_run(product: Product) -> None:
    """A form field whose kind is not one of the list, or a choice field with no choices, is found by `flowdeck
    validate` in one line naming the field and the line of the file, before anything runs."""
    flow = product.write(
        "form.yaml",
        "flowdeck: 1\nname: Form\nsteps:\n  ask:\n    do: ask.form\n    with:\n      title: Details\n"
        "      fields: [name, {name: ok, kind: tick}]\n",
    )
    done = product.run("validate", str(flow))
    assert done.returncode == 1
    assert (
        f"{flow}:8:7: steps.ask.with.fields: ok: kind must be one of text, password, choice, date, number, check"
        in (done.stdout + done.stderr)
    )
    flow.write_text(flow.read_text().replace("{name: ok, kind: tick}", "{name: size, kind: choice}"))
    done = product.run("validate", str(flow))
    assert done.returncode == 1 and "steps.ask.with.fields: size: a choice field needs choices" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
