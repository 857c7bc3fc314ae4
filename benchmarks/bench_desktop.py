"""How long find-image takes on a full 1280x800 screen (synthetic, no display needed).

.venv/bin/python benchmarks/bench_desktop.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw

from engine.desktop.findimage import find


def main() -> None:
    screen = Image.new("RGB", (1280, 800), "#eeeeee")
    draw = ImageDraw.Draw(screen)
    for i in range(0, 1280, 48):  # distractors: text-like bars and dark squares
        draw.rectangle((i, 60, i + 30, 70), fill="#333333")
        draw.rectangle((i, 300, i + 24, 324), fill="#000000")
    for size in (22, 40, 96):
        pattern = Image.new("RGB", (size, size), "#000000")
        ImageDraw.Draw(pattern).rectangle((size // 3, size // 3, size - 2, size - 2), fill="#ff8800")
        screen.paste(pattern, (731, 377))
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            match = find(screen, pattern, 0.9)
            runs.append(time.perf_counter() - start)
        assert match is not None and (match.x, match.y) == (731, 377)
        print(f"{size:3d} px pattern on 1280x800: best of 3 {min(runs) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
