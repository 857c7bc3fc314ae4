"""Watch triggers with real files and the real watchdog observer: patterns, events, debounce of slow writes."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.engine.scheduling.helpers import lines, service, wait_for

FLOW = """flowdeck: 1
name: watcher
triggers:
  - watch: {{path: "{inbox}", pattern: "{pattern}", events: {events}, debounce: {debounce}}}
policy: {{overlap: parallel}}
steps:
  info:
    do: file.info
    with: {{path: "{{{{ trigger.path }}}}", missing_ok: true}}
    next: note
  note:
    do: file.write
    with:
      path: "{out}"
      content: "{{{{ trigger.event }}}} {{{{ trigger.name }}}} {{{{ steps.info.size if steps.info.exists else '-' }}}}"
      append: true
      newline: true
"""


def _setup(tmp_path: Path, pattern: str, events: str, debounce: str = "0.5s"):
    inbox, out = tmp_path / "inbox", tmp_path / "out.txt"
    inbox.mkdir()
    svc = service(tmp_path)
    text = FLOW.format(inbox=inbox, pattern=pattern, events=events, debounce=debounce, out=out)
    (svc.workspace / "watch.yaml").write_text(text, encoding="utf-8")
    svc.start()
    return svc, inbox, out


def test_pattern_events_and_rename_into_pattern(tmp_path: Path) -> None:
    svc, inbox, out = _setup(tmp_path, "*.pdf", "[created, deleted]")
    try:
        (inbox / "note.txt").write_text("not a pdf")
        (inbox / "a.pdf").write_bytes(b"%PDF-1.4 a")
        assert wait_for(lambda: len(lines(out)) == 1)
        (inbox / "b.pdf.part").write_bytes(b"%PDF-1.4 bb")
        os.rename(inbox / "b.pdf.part", inbox / "b.pdf")  # how browsers finish a download
        assert wait_for(lambda: len(lines(out)) == 2)
        (inbox / "a.pdf").unlink()
        assert wait_for(lambda: len(lines(out)) == 3)
        time.sleep(1.5)  # nothing else may come (note.txt, modified events)
        assert lines(out) == ["created a.pdf 10", "created b.pdf 11", "deleted a.pdf -"]
    finally:
        svc.stop(grace=2)


def test_large_file_written_slowly_fires_once_after_it_settles(tmp_path: Path) -> None:
    svc, inbox, out = _setup(tmp_path, "*.bin", "[created, modified]", debounce="1s")
    chunk, chunks = b"x" * 256 * 1024, 40  # 10 MiB over about 3 s
    try:
        with open(inbox / "big.bin", "wb") as f:
            for _ in range(chunks):
                f.write(chunk)
                f.flush()
                time.sleep(0.07)
        finished = time.time()
        assert wait_for(lambda: len(lines(out)) >= 1)
        time.sleep(2.0)  # a second fire would come within a debounce or two
        assert lines(out) == [f"created big.bin {len(chunk) * chunks}"]
        assert out.stat().st_mtime >= finished - 0.05
    finally:
        svc.stop(grace=2)


def test_missing_folder_is_reported_not_armed(tmp_path: Path) -> None:
    svc = service(tmp_path)
    events: list[tuple[str, str]] = []
    svc.subscribe(lambda e: events.append((e.kind, e.message)))
    text = FLOW.format(inbox=tmp_path / "nope", pattern="*", events="[created]", debounce="1s", out=tmp_path / "o")
    (svc.workspace / "watch.yaml").write_text(text, encoding="utf-8")
    svc.start()
    try:
        assert any(k == "error" and "does not exist" in m and "nope" in m for k, m in events), events
    finally:
        svc.stop(grace=1)
