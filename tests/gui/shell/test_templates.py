"""New from template: examples copied into the workspace under a free name, byte for byte."""

from __future__ import annotations

from pathlib import Path

from engine.io import read_file
from gui.shell.templates import list_templates, new_from_template, templates_folder


def test_templates_are_the_shipped_examples() -> None:
    found = dict((path.name, title) for title, path in list_templates())
    assert found, "resources/examples should hold at least one example"
    assert found["hello.yaml"] == "Hello Flowdeck"
    assert all(p.parent == templates_folder() for _, p in list_templates())


def test_copies_get_unique_names_and_stay_valid(tmp_path: Path) -> None:
    template = templates_folder() / "hello.yaml"
    first = new_from_template(template, tmp_path / "ws")
    second = new_from_template(template, tmp_path / "ws")
    assert (first.name, second.name) == ("hello.yaml", "hello-2.yaml")
    assert first.read_bytes() == template.read_bytes() == second.read_bytes()
    wf, problems = read_file(second)
    assert wf is not None and not [p for p in problems if p.is_error]
