"""Overlap policy queue, and editing a workflow while it runs (real server, real engine, real files)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.engine.scheduling.helpers import lines, service, wait_for

SLOW = """flowdeck: 1
name: slow
triggers:
  - webhook: {{path: slow}}
policy: {{overlap: {overlap}}}
steps:
  begin:
    do: file.write
    with: {{path: "{out}", content: "start {label} {{{{ trigger.body.n }}}}", append: true, newline: true}}
    next: pause
  pause:
    do: wait
    with: {{duration: {pause}}}
    next: end
  end:
    do: file.write
    with: {{path: "{out}", content: "end {label} {{{{ trigger.body.n }}}}", append: true, newline: true}}
"""


def _start(tmp_path: Path, overlap: str, pause: str = "0.4s"):
    out = tmp_path / "out.txt"
    svc = service(tmp_path, webhook_port=0)
    flow = svc.workspace / "slow.yaml"
    flow.write_text(SLOW.format(overlap=overlap, out=out, label="v1", pause=pause), encoding="utf-8")
    svc.start()
    return svc, flow, out, svc.webhook_url(flow)


def test_queue_runs_one_after_the_other(tmp_path: Path) -> None:
    svc, _flow, out, url = _start(tmp_path, "queue")
    try:
        first = httpx.post(url, json={"n": 0})
        assert first.status_code == 202 and "run_id" in first.json()
        assert wait_for(lambda: lines(out) == ["start v1 0"])
        with ThreadPoolExecutor(3) as pool:
            answers = list(pool.map(lambda n: httpx.post(url, json={"n": n}), (1, 2, 3)))
        assert [a.json() for a in answers] == [{"queued": True, "status": "queued"}] * 3
        assert wait_for(lambda: len(lines(out)) == 8)
        got = lines(out)
        for i in range(0, 8, 2):  # never two at once: each start is followed by its own end
            assert got[i].replace("start", "end") == got[i + 1], got
        assert sorted(got[i].split()[-1] for i in range(0, 8, 2)) == ["0", "1", "2", "3"]
    finally:
        svc.stop(grace=2)


def test_skip_answers_409(tmp_path: Path) -> None:
    svc, _flow, out, url = _start(tmp_path, "skip", pause="2s")
    try:
        assert httpx.post(url, json={"n": 0}).status_code == 202
        assert wait_for(lambda: len(lines(out)) == 1)
        assert httpx.post(url, json={"n": 1}).status_code == 409
        assert wait_for(lambda: len(lines(out)) == 2)
        assert lines(out) == ["start v1 0", "end v1 0"]
    finally:
        svc.stop(grace=3)


def test_edit_while_running_keeps_the_running_snapshot(tmp_path: Path) -> None:
    svc, flow, out, url = _start(tmp_path, "parallel", pause="2s")
    events: list[str] = []
    svc.subscribe(lambda e: events.append(e.kind))
    try:
        assert httpx.post(url, json={"n": 1}).status_code == 202
        assert wait_for(lambda: len(lines(out)) == 1)
        flow.write_text(SLOW.format(overlap="parallel", out=out, label="v2", pause="0s"), encoding="utf-8")
        assert wait_for(lambda: "workflow_changed" in events)
        assert httpx.post(url + "&wait=1", json={"n": 2}).json()["status"] == "succeeded"
        assert wait_for(lambda: len(lines(out)) == 4)
        assert lines(out) == ["start v1 1", "start v2 2", "end v2 2", "end v1 1"]
    finally:
        svc.stop(grace=3)


def test_invalid_edit_disarms_with_a_reason(tmp_path: Path) -> None:
    svc, flow, out, url = _start(tmp_path, "parallel")
    reasons: list[str] = []
    svc.subscribe(lambda e: reasons.append(e.message) if e.kind == "workflow_invalid" else None)
    try:
        flow.write_text(flow.read_text().replace("do: wait", "do: wiat"), encoding="utf-8")
        assert wait_for(lambda: reasons)
        assert "slow.yaml:" in reasons[0] and "unknown block 'wiat'" in reasons[0]
        assert httpx.post(url, json={"n": 1}).status_code == 404  # disarmed: stale logic never runs
        info = svc.workflows()[0]
        assert not info.valid and info.webhook_url is None
        assert lines(out) == []
    finally:
        svc.stop(grace=2)
