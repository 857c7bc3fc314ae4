"""Error handling: retry, timeout, on_error, on_failure, templates, sandbox, secrets, faults."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from engine.runtime import Engine
from engine.runtime import events as ev
from tests.engine.runtime.conftest import load


def _head(name: str) -> str:
    return f"flowdeck: 1\nname: {name}\n"


def test_block_that_raises_gives_clean_failed_run(engine: Engine) -> None:
    result = engine.run(load(_head("Raise") + "steps:\n  b: {do: test.boom, with: {message: kaput}}\n"))
    assert result.status == "failed"
    assert "kaput" in result.error["message"] and result.error["step"] == "b"


def test_retry_then_success_with_retrying_events(engine: Engine) -> None:
    seen: list[ev.Event] = []
    engine.subscribe(seen.append)
    wf = load(
        _head("Retry")
        + """steps:
  f: {do: test.flaky, with: {fails: 2}, retry: {attempts: 3, backoff: 0.01s}}
"""
    )
    result = engine.run(wf)
    assert result.status == "succeeded", result.error
    assert result.steps["f"] == {"calls": 3}
    engine.bus.flush()
    assert [e.data["attempt"] for e in seen if e.kind == ev.STEP_RETRYING] == [1, 2]


def test_retry_only_on_listed_kinds(engine: Engine) -> None:
    wf = load(
        _head("RetryOn")
        + """steps:
  f: {do: test.flaky, with: {fails: 1, kind: value}, retry: {attempts: 3, backoff: 0.01s, "on": [http]}}
"""
    )
    assert engine.run(wf).status == "failed"


def test_error_route_is_taken_after_retries_are_used_up(engine: Engine) -> None:
    wf = load(
        _head("Route")
        + """steps:
  f: {do: test.flaky, with: {fails: 5}, retry: {attempts: 3, backoff: 0.01s}, on_error: handle}
  handle: {do: set, with: {values: {why: "{{ error.message }}"}}}
"""
    )
    result = engine.run(wf)
    assert result.status == "succeeded", result.error
    assert result.steps["handle"] == {"values": {"why": "flaky failure 3"}}  # three attempts, then the route


def test_on_error_continue(engine: Engine) -> None:
    wf = load(
        _head("Cont")
        + """steps:
  b: {do: test.boom, on_error: continue, next: after}
  after: {do: set, with: {values: {ok: true}}}
"""
    )
    result = engine.run(wf)
    assert result.status == "succeeded" and "after" in result.steps


def test_timeout_kills_program(engine: Engine, tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    code = f"import os,time; open({str(pidfile)!r},'w').write(str(os.getpid())); time.sleep(60)"
    wf = load(
        _head("Tmo")
        + f"""steps:
  p: {{do: program.run, with: {{command: [{sys.executable!r}, "-c", {code!r}]}}, timeout: 0.5s}}
"""
    )
    t0 = time.monotonic()
    result = engine.run(wf)
    assert result.status == "failed" and time.monotonic() - t0 < 5
    pid = int(pidfile.read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_timeout_abandons_python_block_and_run_moves_on(engine: Engine) -> None:
    wf = load(
        _head("Stuck")
        + """steps:
  s: {do: test.stuck, timeout: 0.3s, on_error: continue, next: after}
  after: {do: set, with: {values: {ok: true}}}
"""
    )
    t0 = time.monotonic()
    result = engine.run(wf)
    assert result.status == "succeeded" and "after" in result.steps
    assert time.monotonic() - t0 < 3


def test_cancel_kills_child_process(engine: Engine, tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    code = f"import os,time; open({str(pidfile)!r},'w').write(str(os.getpid())); time.sleep(60)"
    wf = load(
        _head("Kill")
        + f"""steps:
  p: {{do: program.run, with: {{command: [{sys.executable!r}, "-c", {code!r}]}}}}
"""
    )
    handle = engine.submit(wf)
    deadline = time.monotonic() + 10
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    t0 = time.monotonic()
    handle.cancel()
    assert handle.wait(5).status == "cancelled"
    assert time.monotonic() - t0 < 1.5
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_on_failure_step_and_workflow_file(engine: Engine, tmp_path: Path) -> None:
    wf = load(
        _head("OnFail")
        + """on_failure: alert
steps:
  b: {do: test.boom, with: {message: broken}}
  alert: {do: set, with: {values: {msg: "{{ error.message }}"}}}
"""
    )
    result = engine.run(wf)
    assert result.status == "failed" and "broken" in result.steps["alert"]["values"]["msg"]
    marker = tmp_path / "marker.txt"
    (tmp_path / "alert.yaml").write_text(
        _head("Alert")
        + f"""vars: {{error: {{}}}}
steps:
  w: {{do: file.write, with: {{path: {str(marker)!r}, content: "{{{{ vars.error.message }}}}"}}}}
"""
    )
    main = tmp_path / "main.yaml"
    main.write_text(_head("Main") + "on_failure: alert.yaml\nsteps:\n  f: {do: fail, with: {message: nope}}\n")
    from engine.io import load_workflow
    from tests.engine.runtime.conftest import REGISTRY

    assert engine.run(load_workflow(main, REGISTRY)).status == "failed"
    assert "nope" in marker.read_text()


@pytest.mark.parametrize(
    "expr",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ vars.__class__.__init__.__globals__ }}",
    ],
)
def test_sandbox_escapes_fail_cleanly(engine: Engine, expr: str) -> None:
    wf = load(_head("Escape") + f"steps:\n  s: {{do: log, with: {{message: {expr!r}}}}}\n")
    result = engine.run(wf)
    assert result.status == "failed"
    assert result.error["step"] == "s" and "message" in result.error["message"]
    assert "<class" not in result.error["message"] and "subclasses" not in str(result.steps)


def test_native_types_and_mixed_text(engine: Engine) -> None:
    wf = load(
        _head("Types")
        + """vars: {items: [1, 2]}
steps:
  s: {do: set, with: {values: {same: "{{ vars.items }}", text: "n={{ vars.items | length }}", num: "{{ 3 }}"}}}
"""
    )
    result = engine.run(wf)
    assert result.status == "succeeded", result.error
    values = result.steps["s"]["values"]
    assert values == {"same": [1, 2], "text": "n=2", "num": 3}


def test_template_error_names_step_and_parameter(engine: Engine) -> None:
    wf = load(_head("Tpl") + "steps:\n  s: {do: log, with: {message: '{{ vars.nope.deeper }}'}}\n")
    result = engine.run(wf)
    assert result.status == "failed" and "steps.s.with.message" in result.error["message"]


def test_keyring_without_backend_names_the_secret(engine: Engine) -> None:
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        wf = load(_head("NoKeyring") + "steps:\n  s: {do: log, with: {message: '{{ secrets.smtp_password }}'}}\n")
        result = engine.run(wf)
    finally:
        keyring.set_keyring(before)
    assert result.status == "failed" and "smtp_password" in result.error["message"]
    assert "Traceback" not in result.error["message"]


def test_secret_values_redacted_from_events(engine: Engine) -> None:
    import keyring

    keyring.set_password("flowdeck", "api", "hunter2-xyz")
    seen: list[ev.Event] = []
    engine.subscribe(seen.append)
    wf = load(_head("Red") + "steps:\n  s: {do: log, with: {message: 'key {{ secrets.api }}'}}\n")
    assert engine.run(wf).status == "succeeded"
    engine.bus.flush()
    assert seen and "hunter2-xyz" not in repr([e.data for e in seen])
    assert any("key •••" in repr(e.data) for e in seen)


def test_slow_listener_never_stalls_a_run(engine: Engine) -> None:
    engine.subscribe(lambda event: time.sleep(0.2))
    wf = load(
        _head("Slow")
        + """steps:
  a: {do: set, with: {values: {x: 1}}, next: b}
  b: {do: set, with: {values: {x: 2}}, next: c}
  c: {do: set, with: {values: {x: 3}}}
"""
    )
    t0 = time.monotonic()
    assert engine.run(wf).status == "succeeded"
    assert time.monotonic() - t0 < 0.5  # ~8 events x 0.2 s would be 1.6 s if the run waited for the listener


def test_one_line_joins_and_cuts_and_error_info_keeps_the_whole_text() -> None:
    from engine.errors import LONG, StepError, one_line
    from engine.runtime.outcome import error_info

    assert one_line("a\n  b\tc") == "a b c"
    assert one_line("x" * 300, 10) == "x" * 9 + "…"
    long = "first line\n" + "word " * 200
    info = error_info(StepError(long, kind="program", details={"exit_code": 2}), "build")
    assert "\n" not in info["message"] and len(info["message"]) <= LONG
    assert info["details"] == {"exit_code": 2, "message": long}
