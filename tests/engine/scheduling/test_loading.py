"""Loading one file can never stop the service: a real input whose loading raises (a 400-digit step timeout raised
OverflowError from deep in the loader) makes that file invalid with one line, and every other file is armed."""

from __future__ import annotations

from pathlib import Path

from engine.scheduling.loading import MAX_ERROR_CHARS, one_line
from tests.engine.scheduling.helpers import lines, service, wait_for
from tests.support.flows import tick

HUGE = "flowdeck: 1\nname: Huge\nsteps:\n  s: {{do: log, with: {{message: x}}, timeout: {digits}}}\n"


def test_a_file_whose_loading_raises_does_not_stop_start_or_rescan(tmp_path: Path) -> None:
    svc, marks = service(tmp_path), tmp_path / "marks.txt"
    (svc.workspace / "huge.yaml").write_text(HUGE.format(digits="9" * 400))
    (svc.workspace / "tick.yaml").write_text(tick(marks))
    svc.start()  # raised OverflowError before
    try:
        infos = {i.path.name: i for i in svc.workflows()}
        assert not infos["huge.yaml"].valid
        assert len(infos["huge.yaml"].problems) == 1 and "huge.yaml" in infos["huge.yaml"].problems[0]
        assert "\n" not in infos["huge.yaml"].problems[0]
        assert infos["tick.yaml"].valid
        assert wait_for(lambda: len(lines(marks)) >= 1, timeout=10)
        (svc.workspace / "huge2.yaml").write_text(HUGE.format(digits="8" * 400))
        (svc.workspace / "later.yaml").write_text(tick(tmp_path / "later.txt"))
        assert wait_for(lambda: len(lines(tmp_path / "later.txt")) >= 1, timeout=10)
        assert not {i.path.name: i for i in svc.workflows()}["huge2.yaml"].valid
    finally:
        svc.stop(grace=1)


def test_one_line_names_the_error_and_is_cut() -> None:
    assert one_line(OverflowError("int too large\nto convert")) == "OverflowError: int too large to convert"
    long = one_line(ValueError("x" * 5000))
    assert long.startswith("ValueError: x") and len(long) <= len("ValueError: ") + MAX_ERROR_CHARS
    assert one_line(RuntimeError()) == "RuntimeError: (no message)"
