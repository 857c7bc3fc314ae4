"""Loading and validation are linear and capped: generated big files are refused by name or checked, in a child
process whose address space is limited (resource.setrlimit), so a blow-up fails the test instead of the machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from engine.io import read_text

REPO = Path(__file__).resolve().parents[3]
CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from engine.io import read_file
from engine.runtime.plan import compile_plan
wf, problems = read_file(sys.argv[1])
if wf is not None and {plan} and not [p for p in problems if p.is_error]:
    compile_plan(wf, check=False)
print(json.dumps([str(p) for p in problems]))
"""


def check_in_child(path: Path, megabytes: int, *, plan: bool = False) -> list[str]:
    """The problems of ``path`` as `flowdeck validate` prints them, read with at most ``megabytes`` of memory."""
    code = CHILD.format(limit=megabytes * 1024 * 1024, plan=plan)
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def linear(count: int, step: str = "{{do: log, with: {{message: hi}}{next}}}") -> str:
    lines = ["flowdeck: 1", "name: Big", "steps:"]
    for i in range(count):
        nxt = f", next: s{i + 1}" if i + 1 < count else ""
        lines.append(f"  s{i}: " + step.format(next=nxt, i=i))
    return "\n".join(lines) + "\n"


def test_an_alias_expanding_a_long_text_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    copies = ", ".join(["*big"] * 2000)
    path.write_text(
        f"flowdeck: 1\nname: A\nvars:\n  big: &big {'x' * 1024 * 1024}\n  copies: [{copies}]\n"
        "steps:\n  a: {do: log, with: {message: hi}}\n"
    )
    assert check_in_child(path, 600) == [
        f"{path}:5:11: anchors and aliases expand to more than 10 MB of text (in the value that starts at line 5); "
        "this looks like a YAML bomb and is refused"
    ]


def test_a_workflow_over_the_step_limit_is_refused_before_it_is_built(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(linear(110_000))
    assert check_in_child(path, 400) == [
        f"{path}:3:1: steps: more than 10,000 steps; a workflow holds at most 10,000 "
        "(split the work into workflows that call each other with workflow.run)"
    ]


def test_problems_stop_after_100_and_the_rest_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "unknown.yaml"
    path.write_text(linear(9_000, "{{do: nosuch{i}{next}}}"))
    printed = check_in_child(path, 700)
    assert len(printed) == 101
    assert printed[0] == f"{path}:4:8: steps.s0.do: unknown block 'nosuch0' (run 'flowdeck blocks' to list them)"
    assert printed[-1] == f"{path}: … and 8,900 more problems"


def test_the_largest_legal_workflow_is_checked_and_planned(tmp_path: Path) -> None:
    path = tmp_path / "legal.yaml"
    path.write_text(linear(10_000, '{{do: log, with: {{message: "{{{{ steps.s0.message }}}} {i}"}}{next}}}'))
    assert check_in_child(path, 900, plan=True) == []


def test_fork_and_join_diamonds_are_checked_and_planned_in_linear_time(tmp_path: Path) -> None:
    lines = ["flowdeck: 1", "name: Diamonds", "steps:"]
    for i in range(2_000):
        after = f", next: d{i + 1}" if i + 1 < 2_000 else ""
        lines += [
            f"  d{i}: {{do: log, with: {{message: a}}, next: [l{i}, r{i}]}}",
            f"  l{i}: {{do: log, with: {{message: l}}, next: j{i}}}",
            f"  r{i}: {{do: log, with: {{message: r}}, next: j{i}}}",
            f"  j{i}: {{do: join{after}}}",
        ]
    path = tmp_path / "diamonds.yaml"
    path.write_text("\n".join(lines) + "\n")
    # A table of every join's ancestors held 16 million entries here (0.8 GB): the plan now asks when it must.
    assert check_in_child(path, 300, plan=True) == []


def test_a_long_loop_is_named_by_its_ends() -> None:
    steps = "".join(f"  s{i}: {{do: log, with: {{message: hi}}, next: s{(i + 1) % 50}}}\n" for i in range(50))
    _, found = read_text("flowdeck: 1\nname: L\nsteps:\n" + steps, "l.yaml")
    assert [p.message for p in found] == [
        "steps.s49.next: steps s0 → s1 → s2 → s3 → … (42 more) → s48 → s49 → s0 form a loop; "
        "use a repeat or for_each block to run steps more than once"
    ]
