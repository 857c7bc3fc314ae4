"""Manual runs (Service.run_now, the Run button) follow the workflow's overlap policy like trigger fires do
(real APScheduler, real HTTP server, real engine and files)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from engine.scheduling.service import QUEUED, RunRefused, Service
from tests.engine.scheduling.helpers import lines, service, wait_for

SLOW = """flowdeck: 1
name: slow
vars: {{who: nobody}}
triggers:
{triggers}
policy: {{overlap: {overlap}}}
steps:
  begin:
    do: file.write
    with: {{path: "{out}", content: "start {{{{ trigger.kind }}}} {{{{ vars.who }}}}", append: true, newline: true}}
    next: pause
  pause:
    do: wait
    with: {{duration: {pause}}}
    next: end
  end:
    do: file.write
    with: {{path: "{out}", content: "end {{{{ trigger.kind }}}} {{{{ vars.who }}}}", append: true, newline: true}}
"""


def _start(tmp_path: Path, overlap: str, triggers: str, pause: str) -> tuple[Service, Path, Path]:
    svc, out = service(tmp_path, webhook_port=0), tmp_path / "out.txt"
    flow = svc.workspace / "slow.yaml"
    flow.write_text(SLOW.format(triggers=triggers, overlap=overlap, out=out, pause=pause), encoding="utf-8")
    svc.start()
    return svc, flow, out


def test_skip_refuses_a_second_manual_run_and_scheduled_fires_do_not_overlap_a_manual_one(tmp_path: Path) -> None:
    svc, flow, out = _start(tmp_path, "skip", "  - schedule: {every: 1s}\n  - webhook: {path: slow}", "3s")
    skipped: list[str] = []
    svc.subscribe(lambda e: skipped.append(e.message) if e.kind == "skipped" else None)
    started: list = []

    def run_when_free() -> bool:
        try:
            started.append(svc.run_now(flow, {"who": "ada"}))
            return True
        except RunRefused:  # a scheduled run is going
            return False

    try:
        assert wait_for(lambda: "start schedule nobody" in lines(out), timeout=5)
        assert wait_for(run_when_free, timeout=8)
        before = len(skipped)
        with pytest.raises(RunRefused, match="still going and its policy is overlap: skip"):
            svc.run_now(flow, {"who": "bo"})
        assert httpx.post(svc.webhook_url(flow), json={}).status_code == 409
        assert started[0].wait(6).status == "succeeded"  # 3 s, over two or more schedule fires
        got = lines(out)
        at = got.index("start manual ada")
        assert got[at + 1] == "end manual ada"  # nothing started while it ran
        assert skipped[before:].count("schedule") >= 2 and {"manual", "webhook"} <= set(skipped[before:])
        assert wait_for(lambda: "start schedule nobody" in lines(out)[at + 2 :], timeout=5)  # fires resume after it
    finally:
        svc.stop(grace=1)


def test_queue_queues_a_manual_run_behind_a_running_one(tmp_path: Path) -> None:
    svc, flow, out = _start(tmp_path, "queue", "  - webhook: {path: slow}", "0.5s")
    try:
        first = svc.run_now(flow, {"who": "ada"})
        assert wait_for(lambda: lines(out) == ["start manual ada"], timeout=5)
        assert svc.run_now(flow, {"who": "bo"}) == QUEUED
        assert httpx.post(svc.webhook_url(flow), json={}).json() == {"queued": True, "status": "queued"}
        assert first.wait(5).status == "succeeded"
        assert wait_for(lambda: len(lines(out)) == 6, timeout=10)
        assert lines(out) == [
            "start manual ada",
            "end manual ada",
            "start manual bo",  # the queued manual run keeps its own variables
            "end manual bo",
            "start webhook nobody",
            "end webhook nobody",
        ]
    finally:
        svc.stop(grace=1)


def test_parallel_lets_manual_runs_overlap(tmp_path: Path) -> None:
    svc, flow, out = _start(tmp_path, "parallel", "  - webhook: {path: slow}", "1s")
    try:
        handles = [svc.run_now(flow, {"who": w}) for w in ("ada", "bo")]
        assert all(h not in (None, QUEUED) for h in handles)
        assert wait_for(lambda: len(lines(out)) == 4, timeout=10)
        assert sorted(lines(out)[:2]) == ["start manual ada", "start manual bo"]
    finally:
        svc.stop(grace=1)


def test_a_manual_run_of_an_invalid_file_says_why(tmp_path: Path) -> None:
    svc, flow, _out = _start(tmp_path, "skip", "  - webhook: {path: slow}", "0s")
    try:
        flow.write_text(flow.read_text().replace("do: wait", "do: wiat"), encoding="utf-8")
        svc.rescan()
        with pytest.raises(ValueError, match=r"slow\.yaml does not validate: .*unknown block 'wiat'"):
            svc.run_now(flow)
    finally:
        svc.stop(grace=1)
