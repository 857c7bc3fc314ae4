"""A screenshot's PNG appears whole: read as soon as its name is there, it is never half written."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PIL import Image

from engine.desktop.capture import save_png
from engine.errors import StepError


def test_a_png_read_as_soon_as_it_appears_is_whole(tmp_path: Path) -> None:
    image = Image.effect_noise((1200, 1200), 90).convert("RGB")  # noise: a slow, large PNG (several MB)
    target = tmp_path / "shots" / "screen.png"
    seen: list[str] = []
    done = threading.Event()

    def read_as_it_appears() -> None:
        while not done.is_set():
            try:
                with Image.open(target) as found:
                    found.load()
                    seen.append(f"whole {found.size}")
            except FileNotFoundError:
                continue
            except (OSError, SyntaxError) as exc:  # truncated or not yet a PNG
                seen.append(f"partial: {exc}")

    reader = threading.Thread(target=read_as_it_appears)
    reader.start()
    try:
        for _ in range(2):
            save_png(image, target)
    finally:
        done.set()
        reader.join()
    assert seen and all(s == "whole (1200, 1200)" for s in seen), sorted(set(seen))
    assert [p.name for p in target.parent.iterdir()] == ["screen.png"], "no temporary file is left"


def test_a_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "shots").write_text("a file, not a folder")
    with pytest.raises(StepError) as err:
        save_png(Image.new("RGB", (4, 4)), tmp_path / "shots" / "screen.png")
    assert str(err.value).startswith(f"cannot write {tmp_path / 'shots' / 'screen.png'}: "), str(err.value)
