"""Find a pattern (a small PNG) on a screen image, without numpy or OpenCV.

Confidence is the share of the pattern's pixels that match the screen within ``TOLERANCE`` levels (0-255) in each
colour, so 0.9 means 9 pixels in 10 look the same. The search is coarse to fine: both images are shrunk (box
average, in Pillow's C code) until the screen has at most ~60 000 places to try; each place is tried in grey on a
few sample pixels with an early exit (most places fail on the first one or two); the best few are then measured in
colour at full size around the coarse hit with Pillow's difference, again in C. Only the same size is found (no
scaling or rotation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

TOLERANCE = 32  # grey levels two pixels may differ by and still match (anti-aliasing, slight colour shifts)
_PLACES = 60_000
_SAMPLES = 24
_KEEP = 24


@dataclass(frozen=True)
class Match:
    x: int  # top-left, in the screen image's pixels
    y: int
    width: int
    height: int
    confidence: float

    @property
    def center(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2


def find(screen: Any, pattern: Any, confidence: float) -> Match | None:
    """The best place of ``pattern`` in ``screen`` (Pillow images) if its confidence reaches ``confidence``."""
    sw, sh = screen.size
    pw, ph = pattern.size
    if pw > sw or ph > sh:
        return None
    factor = max(1, min(math.ceil(math.sqrt(sw * sh / _PLACES)), max(1, min(pw, ph) // 8)))
    coarse = _coarse(screen, pattern, factor, max(0.0, confidence - 0.25))
    best: Match | None = None
    for cx, cy in coarse:
        for match in _refine(screen, pattern, cx * factor, cy * factor, factor):
            if best is None or match.confidence > best.confidence:
                best = match
        if best is not None and best.confidence >= 0.999:
            break
    return best if best is not None and best.confidence >= confidence else None


def _grey(image: Any, factor: int) -> Any:
    grey = image.convert("L")
    return grey.reduce(factor) if factor > 1 else grey


def _coarse(screen: Any, pattern: Any, factor: int, floor: float) -> list[tuple[int, int]]:
    """Places whose sample pixels match at least ``floor`` of the time, the best ``_KEEP`` first.

    The screen's shrunk pixels straddle the pattern's at any of ``factor``² alignments, so a sample is compared
    with the range of grey the full-size pattern has around it: strict where the pattern is flat, lenient on edges.
    """
    small = _grey(screen, factor)
    sw, sh = small.size
    pw, ph = pattern.width // factor, pattern.height // factor
    hay = small.tobytes()
    samples = _samples(pattern.convert("L"), factor, pw, ph, sw)
    allowed = int(len(samples) * (1 - floor))
    found: list[tuple[int, int, int]] = []
    for y in range(sh - ph + 1):
        row = y * sw
        for x in range(sw - pw + 1):
            base, misses = row + x, 0
            for offset, lo, hi in samples:
                value = hay[base + offset]
                if value < lo or value > hi:
                    misses += 1
                    if misses > allowed:
                        break
            else:
                found.append((misses, x, y))
    found.sort()
    return [(x, y) for _, x, y in found[:_KEEP]]


def _samples(grey: Any, factor: int, pw: int, ph: int, sw: int) -> list[tuple[int, int, int]]:
    """(offset in the shrunk screen, lowest, highest grey accepted) for up to ``_SAMPLES`` shrunk pixels."""
    out = []
    inner = [(i, j) for j in range(1, ph) for i in range(1, pw)
             if (i + 1) * factor <= grey.width and (j + 1) * factor <= grey.height]  # fmt: skip
    for i, j in inner or [(i, j) for j in range(ph) for i in range(pw)]:
        # whatever the alignment, shrunk pixel (i, j) averages pattern pixels inside this box
        box = (max(0, (i - 1) * factor + 1), max(0, (j - 1) * factor + 1),
               min(grey.width, (i + 1) * factor), min(grey.height, (j + 1) * factor))  # fmt: skip
        lo, hi = grey.crop(box).getextrema()
        out.append((hi - lo, j * sw + i, max(0, lo - TOLERANCE), min(255, hi + TOLERANCE)))
    informative = [s for s in out if s[0] <= 128]  # a sample on a black/white edge tells little
    if len(informative) < 8:
        informative = sorted(sorted(out)[: max(8, len(out) // 2)], key=lambda s: s[1])
    step = max(1, len(informative) // _SAMPLES)  # spread over the whole pattern, every colour of it
    return [(offset, lo, hi) for _, offset, lo, hi in informative[::step][:_SAMPLES]]


def _refine(screen: Any, pattern: Any, x0: int, y0: int, factor: int) -> list[Match]:
    from PIL import ImageChops

    sw, sh = screen.size
    pw, ph = pattern.size
    out = []
    for y in range(max(0, y0 - factor), min(sh - ph, y0 + factor) + 1):
        for x in range(max(0, x0 - factor), min(sw - pw, x0 + factor) + 1):
            red, green, blue = ImageChops.difference(screen.crop((x, y, x + pw, y + ph)), pattern).split()
            diff = ImageChops.lighter(red, ImageChops.lighter(green, blue))  # a pixel's largest colour difference
            same = sum(diff.histogram()[: TOLERANCE + 1])
            out.append(Match(x, y, pw, ph, same / (pw * ph)))
    return out
