"""Saved values (state) are kept between runs, shared by `flowdeck run` and the daemon, shown and reset by
`flowdeck state`."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.privileges import without_root_powers
from tests.support.product import Product, wait_until
from tests.support.servers import LocalHTTPServer, http_server  # noqa: F401  (the fixture)

COUNTER = """flowdeck: 1
name: Counter
triggers:
  - startup: {}
steps:
  count:
    do: state.increment
    with: {key: runs}
    next: say
  say:
    do: log
    with: {message: "count={{ steps.count.value }}"}
"""

MANY = """flowdeck: 1
name: Many
steps:
  again:
    do: repeat
    with: {max: 100}
    next: {body: add}
  add:
    do: state.increment
    with: {key: total}
"""

CHANGED = """flowdeck: 1
name: Watch page
steps:
  check:
    do: http.changed
    with: {url: "{{ vars.url }}", first_is_change: true}
    next: say
  say:
    do: log
    with: {message: "changed={{ steps.check.changed }}"}
"""


def _saved(product: Product, *args: str) -> list[dict]:
    done = product.run("state", "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.promise("runtime.md", "Saved values (state)")
def test_counter_is_kept_between_runs_of_the_command_and_the_daemon(product: Product) -> None:
    """A saved value is kept between runs, and `flowdeck run`, the daemon and the app share one store per workflow."""
    flow = product.write("counter.yaml", COUNTER)
    for n in (1, 2, 3):
        done = product.run("run", str(flow))
        assert done.returncode == 0, done.stderr
        assert f"count={n}" in done.stdout
    with product.daemon() as daemon:  # its startup trigger runs the workflow once more, in a run process
        assert wait_until(lambda: [r for r in product.history() if r["source"] != "cli"]), daemon.log
        assert wait_until(lambda: product.history()[0]["status"] == "succeeded"), daemon.log
    assert [r["value"] for r in _saved(product, "Counter")] == [4]
    done = product.run("run", str(flow))
    assert "count=5" in done.stdout, done.stdout + done.stderr


@pytest.mark.promise("runtime.md", "Saved values (state)")
def test_state_command_lists_and_clears_saved_values(product: Product) -> None:
    """`flowdeck state [WORKFLOW]` lists the saved values (workflow, key, value, when it was set); `--json` prints
    them as JSON; `flowdeck state WORKFLOW --clear` forgets them, `--key K --clear` forgets one."""
    flow = product.write("counter.yaml", COUNTER)
    assert product.run("state").stdout.strip() == "no saved values"
    for _ in range(3):
        assert product.run("run", str(flow)).returncode == 0
    rows = _saved(product)
    assert [(r["workflow"], r["path"], r["key"], r["value"]) for r in rows] == [
        ("Counter", str(flow.resolve()), "runs", 3)
    ]
    assert rows[0]["set_at"][:2] == "20"  # an ISO date and time
    text = product.run("state", "Counter")
    assert text.returncode == 0
    assert f"Counter ({flow.resolve()})" in text.stdout
    assert "runs = 3" in text.stdout
    assert _saved(product, str(flow)) == rows  # the file names the workflow as well as its name
    cleared = product.run("state", "Counter", "--clear")
    assert (cleared.returncode, cleared.stdout.strip()) == (0, "forgot 1 saved value of Counter")
    assert _saved(product) == []
    assert "count=1" in product.run("run", str(flow)).stdout  # the counter starts again


KEEP = """flowdeck: 1
name: Keeper
steps:
  read:
    do: state.get
    with: {key: seen, default: nothing}
    next: say
  say:
    do: log
    with: {message: "seen={{ steps.read.value }} found={{ steps.read.found }}"}
    next: keep
  keep:
    do: state.set
    with: {key: seen, value: {list: [1, true, "ü"], n: 2.5}}
    next: count
  count:
    do: state.increment
    with: {key: runs}
"""


@pytest.mark.promise("runtime.md", "Saved values (state)")
def test_values_follow_the_file_not_its_name(product: Product) -> None:
    """A workflow is known by its file: values come back as they were saved (JSON), changing `name:` keeps them,
    renaming the file starts afresh while the old values stay under the old path; `--key K --clear` forgets one."""
    flow = product.write("keeper.yaml", KEEP)
    assert "seen=nothing found=False" in product.run("run", str(flow)).stdout
    assert "seen={'list': [1, True, 'ü'], 'n': 2.5} found=True" in product.run("run", str(flow)).stdout
    flow.write_text(KEEP.replace("name: Keeper", "name: Keeper two"), encoding="utf-8")
    assert "found=True" in product.run("run", str(flow)).stdout
    assert {(r["workflow"], r["key"], json.dumps(r["value"])) for r in _saved(product)} == {
        ("Keeper two", "runs", "3"),
        ("Keeper two", "seen", '{"list": [1, true, "\\u00fc"], "n": 2.5}'),
    }
    moved = flow.rename(flow.with_name("renamed.yaml"))
    assert "seen=nothing found=False" in product.run("run", str(moved)).stdout
    old = _saved(product, str(flow))  # the file is gone; its values are still shown under its path
    assert [(r["path"], r["key"]) for r in old] == [(str(flow.resolve()), "runs"), (str(flow.resolve()), "seen")]
    one = product.run("state", str(moved), "--key", "runs", "--clear")
    assert (one.returncode, one.stdout.strip()) == (0, f"forgot 1 saved value 'runs' of {moved}")
    assert [r["key"] for r in _saved(product, str(moved))] == ["seen"]


@pytest.mark.promise("runtime.md", "Saved values (state)")
def test_state_command_bad_usage(product: Product) -> None:
    """`flowdeck state` exits 1 when the workflow is unknown and 2 on a usage error, with one line saying why."""
    unknown = product.run("state", "Nobody")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "flowdeck state: no saved values for 'Nobody' (neither a workflow name nor a file)"
    usage = product.run("state", "--clear")
    assert usage.returncode == 2
    assert "flowdeck state: --clear needs the WORKFLOW whose values to forget" in usage.stderr


@pytest.mark.promise("runtime.md", "Saved values (state)")
def test_two_runs_counting_at_once_lose_no_count(product: Product) -> None:
    """Two runs that count at the same time, in two processes, lose no count: increments are atomic."""
    flow = product.write("many.yaml", MANY)
    procs = [
        subprocess.Popen(product.command("run", "-q", "--no-history", str(flow)), env=product.env, cwd=product.home)
        for _ in range(2)
    ]
    assert [p.wait(120) for p in procs] == [0, 0]
    assert [r["value"] for r in _saved(product, "Many")] == [200]


@pytest.mark.promise("blocks.md", "`http.changed` — Check for change")
def test_http_changed_remembers_the_content_across_runs(product: Product, http_server: LocalHTTPServer) -> None:  # noqa: F811
    """http.changed tells whether the content changed since the last run: changed, unchanged, changed again."""
    flow = product.write("watch.yaml", CHANGED)
    seen = []
    for content in ("one", "one", "two"):
        http_server.content = content
        done = product.run("run", str(flow), "--var", f"url={http_server.url}/content")
        assert done.returncode == 0, done.stderr
        seen.append("changed=true" in done.stdout.lower())
    assert seen == [True, False, True]
    assert [r["path"] for r in http_server.requests] == ["/content"] * 3
    quiet = product.write("quiet.yaml", CHANGED.replace(", first_is_change: true", "").replace("Watch page", "Quiet"))
    _, record = _run_json(product, quiet, http_server.url)
    assert (record["steps"]["check"]["first"], record["steps"]["check"]["changed"]) == (True, False)  # the default
    _, record = _run_json(product, quiet, http_server.url)
    assert (record["steps"]["check"]["first"], record["steps"]["check"]["changed"]) == (False, False)
    assert record["steps"]["check"]["previous_hash"] == record["steps"]["check"]["hash"]


def _run_json(product: Product, flow: object, base: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    done = product.run("run", "--json", str(flow), "--var", f"url={base}/content")
    assert done.returncode == 0, done.stderr
    return done, json.loads(done.stdout)


@pytest.mark.promise("runtime.md", "Saved values (state)")
def test_read_only_data_folder_fails_the_step_with_one_line(product: Product) -> None:
    """When a value cannot be saved (a read-only folder, a full disk), the step fails with one line that says what
    could not be saved and where; the run fails, nothing is silently lost."""
    flow = product.write("counter.yaml", COUNTER)
    product.data.chmod(0o555)
    try:
        done = subprocess.run(
            product.command("run", "--no-history", str(flow)),
            env=product.env,
            cwd=product.home,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=without_root_powers,
        )
    finally:
        product.data.chmod(0o755)
    assert done.returncode == 1, done.stdout + done.stderr
    where = product.data / "flowdeck" / "state.sqlite3"
    assert f"✗ count: state: could not count 'runs' in {where}: Permission denied (the folder is read-only)" in (
        done.stdout
    ), done.stdout
    assert "Traceback" not in done.stdout + done.stderr


KID = """flowdeck: 1
name: Kid
outputs: {n: "{{ steps.count.value }}"}
steps:
  count:
    do: state.increment
    with: {key: kid_runs}
"""

PARENT = """flowdeck: 1
name: Parent
steps:
  call:
    do: workflow.run
    with: {path: kid.yaml}
"""


@pytest.mark.promise("runtime.md", "Saved values (state)")
def test_a_workflow_run_child_keeps_its_saved_values(product: Product) -> None:
    """A workflow run as a step of another (workflow.run) keeps its saved values between runs, like on its own, in
    `flowdeck run` and in the daemon alike."""
    product.write("kid.yaml", KID)
    parent = product.write("parent.yaml", PARENT)
    counts = []
    for _ in range(2):
        done = product.run("run", "--json", "--no-history", str(parent))
        counts.append(json.loads(done.stdout)["steps"]["call"]["outputs"]["n"])
    assert counts == [1, 2]
    # the daemon runs the workflows in run processes: the child's store is reached through the engine's process
    product.write("parent.yaml", PARENT.replace("steps:", "triggers:\n  - startup: {}\nsteps:", 1))
    with product.daemon() as daemon:
        parent_runs = lambda: [r["status"] for r in product.history_rows() if r["workflow"] == "Parent"]  # noqa: E731
        assert wait_until(lambda: parent_runs() == ["succeeded"], 30), daemon.log
    listed = product.run("state", "Kid", "--json")
    assert [(e["key"], e["value"]) for e in json.loads(listed.stdout)] == [("kid_runs", 3)], listed.stderr


PEEK = """flowdeck: 1
name: Peek
triggers:
  - startup: {}
steps:
  get:
    do: state.get
    with: {key: nothing_yet, default: none}
"""


@pytest.mark.promise("blocks.md", "`state.get` — Get saved value")
def test_state_get_in_a_run_process_reports_a_missing_value(product: Product) -> None:
    """state.get gives the default and found: false when nothing was saved, also in the daemon's run processes."""
    product.write("peek.yaml", PEEK)
    with product.daemon() as daemon:
        assert wait_until(lambda: [r for r in product.history() if r["status"] == "succeeded"]), daemon.log
    (row,) = product.history_rows("SELECT output FROM steps WHERE step = 'get'")
    assert json.loads(row["output"]) == {"value": "none", "found": False}


@pytest.mark.promise("runtime.md", "Saved values (state)")
def test_two_workflows_with_one_name_are_cleared_by_file(product: Product) -> None:
    """When several workflows with saved values share a name, `flowdeck state NAME` lists both and `--clear` asks
    for the file instead of guessing."""
    first = product.write("a/counter.yaml", COUNTER)
    second = product.write("b/counter.yaml", COUNTER)
    for flow in (first, second):
        assert product.run("run", "--no-history", str(flow)).returncode == 0
    assert sorted(r["path"] for r in _saved(product, "Counter")) == sorted(str(f.resolve()) for f in (first, second))
    refused = product.run("state", "Counter", "--clear")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"flowdeck state: 2 workflows are named 'Counter' ({first.resolve()}, {second.resolve()}); "
        "name the file to clear"
    )
    assert product.run("state", str(second), "--clear").stdout.strip() == f"forgot 1 saved value of {second}"
    assert [r["path"] for r in _saved(product, "Counter")] == [str(first.resolve())]
