"""The run as data: what crosses the wire, and how a worker checks it (engine.distributed.message)."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

import pytest

from engine.distributed import message as m
from engine.io import load_workflow
from engine.runtime.plan import compile_plan

PARENT = """flowdeck: 1
name: Parent
policy: {runs_on: [office], retry_lost: true}
steps:
  child: {do: workflow.run, with: {path: ../shared/child.yaml}}
"""
CHILD = """flowdeck: 1
name: Child
steps:
  hi: {do: log, with: {message: hi}}
"""


def _plan(tmp_path: Path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "child.yaml").write_text(CHILD)
    (tmp_path / "flows").mkdir()
    path = tmp_path / "flows" / "parent.yaml"
    path.write_text(PARENT)
    workflow = load_workflow(path)  # the daemon's plan: compiled, and its workflow frozen (pickled) with it
    return dataclasses.replace(compile_plan(workflow), snapshot=pickle.dumps(workflow))


def test_a_message_holds_the_texts_with_their_hashes_and_no_path_of_the_daemon(tmp_path: Path) -> None:
    body = m.build(_plan(tmp_path), run_id="r1", trigger={"kind": "manual"}, variables={"n": 1}, source="manual",
                   fence=3)  # fmt: skip
    text = m.encode(body)
    assert str(tmp_path) not in text  # files are known by relative path, saved values by an identity
    assert set(body["files"]) == {"parent.yaml", "../shared/child.yaml"}
    assert body["needs"] == ["office"] and body["policy"]["retry_lost"] is True and body["fence"] == 3
    child = body["files"]["../shared/child.yaml"]
    assert child["text"] == CHILD and child["sha256"] == m.sha(CHILD)
    bundle = m.check(json.loads(text), "w@h")
    written = m.write(bundle, tmp_path / "worker")
    main = m.main_path(bundle, tmp_path / "worker")
    assert (main.parent / "../shared/child.yaml").resolve().read_text() == CHILD  # the relative path still reaches
    assert load_workflow(main).name == "Parent" and len(written) == 2


def test_a_worker_refuses_a_newer_message_format_and_a_damaged_text(tmp_path: Path) -> None:
    body = m.build(_plan(tmp_path), run_id="r1", trigger={}, variables=None, source="manual", fence=0)
    with pytest.raises(m.Refused, match=r"reads format 1 at most; update Flowdeck on w@h"):
        m.check({**body, "schema": m.SCHEMA + 1}, "w@h")
    body["files"]["parent.yaml"]["text"] += "# changed on the way\n"
    with pytest.raises(m.Refused, match=r"parent.yaml: its text does not match its SHA-256"):
        m.check(body, "w@h")
    with pytest.raises(m.Refused, match="not a Flowdeck run"):
        m.check(["nonsense"], "w@h")


def test_policy_runs_on_and_retry_lost_are_checked() -> None:
    from engine.io import read_text

    bad = "flowdeck: 1\nname: X\npolicy: {runs_on: office, retry_lost: sometimes}\n"
    bad += "steps:\n  a: {do: log, with: {message: x}}\n"
    _wf, problems = read_text(bad)
    messages = [p.message for p in problems]
    assert any("expected a list of worker tags" in msg for msg in messages), messages
    assert any("expected true or false, got 'sometimes'" in msg for msg in messages), messages


def _compiled(path: Path):
    workflow = load_workflow(path)
    return dataclasses.replace(compile_plan(workflow), snapshot=pickle.dumps(workflow))


def test_a_child_far_away_is_bundled_under_outside_and_its_step_rewritten(tmp_path: Path) -> None:
    far = tmp_path / "a" / "b" / "c" / "d" / "e" / "f" / "g" / "h" / "i" / "far.yaml"
    far.parent.mkdir(parents=True)
    far.write_text(CHILD)
    flows = tmp_path / "x" / "y" / "z" / "q" / "r" / "s" / "t" / "u" / "v" / "flows"
    flows.mkdir(parents=True)
    (flows / "main.yaml").write_text(
        f"flowdeck: 1\nname: Main\nsteps:\n  go: {{do: workflow.run, with: {{path: {far}}}}}\n"
    )
    body = m.build(_compiled(flows / "main.yaml"), run_id="r", trigger={}, variables=None, source="manual", fence=0)
    (outside,) = [rel for rel in body["files"] if rel != "main.yaml"]
    assert outside.startswith("_outside/") and outside.endswith("/far.yaml"), outside
    assert str(tmp_path) not in m.encode(body)
    bundle = m.check(json.loads(m.encode(body)), "w@h")
    m.write(bundle, tmp_path / "worker")
    main = load_workflow(m.main_path(bundle, tmp_path / "worker"))
    target = main.steps["go"].params["path"]
    assert (m.main_path(bundle, tmp_path / "worker").parent / target).read_text() == CHILD


def test_desktop_blocks_in_a_child_make_the_run_need_the_desktop_tag(tmp_path: Path) -> None:
    (tmp_path / "typing.yaml").write_text("flowdeck: 1\nname: T\nsteps:\n  t: {do: keys.type, with: {text: hi}}\n")
    (tmp_path / "main.yaml").write_text(
        "flowdeck: 1\nname: M\nsteps:\n  c: {do: workflow.run, with: {path: typing.yaml}}\n"
    )
    body = m.build(_compiled(tmp_path / "main.yaml"), run_id="r", trigger={}, variables=None, source="manual", fence=0)
    assert body["needs"] == ["desktop"] and body["desktop_blocks"] == ["keys.type"]
    (tmp_path / "p").mkdir()
    plain = m.build(_plan(tmp_path / "p"), run_id="r", trigger={}, variables=None, source="m", fence=0)
    assert plain["needs"] == ["office"] and plain["desktop_blocks"] == []


def test_a_templated_child_path_cannot_be_sent(tmp_path: Path) -> None:
    from engine.distributed.bundle import Unsendable

    (tmp_path / "main.yaml").write_text(
        'flowdeck: 1\nname: M\nsteps:\n  c: {do: workflow.run, with: {path: "{{ vars.x }}.yaml"}}\n'
    )
    with pytest.raises(Unsendable, match=r"^main.yaml: steps.c.with.path is a template \('\{\{ vars.x \}\}.yaml'\)"):
        m.build(_compiled(tmp_path / "main.yaml"), run_id="r", trigger={}, variables=None, source="m", fence=0)
