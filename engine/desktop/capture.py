"""Screen capture (mss, on X11, Windows and macOS alike) into Pillow images, and PNG files."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from engine.desktop import missing, wayland_problem
from engine.desktop.base import DesktopUnavailable, Rect
from engine.errors import StepError


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise missing("Pillow", "reading and writing screen images") from None
    return Image


def grab(region: Rect | None = None) -> Any:
    """The screen (or ``region`` of it) as an RGB Pillow image; a region beyond the screen is cut to it."""
    problem = wayland_problem()
    if problem:
        raise DesktopUnavailable(problem)
    image = _pillow()
    try:
        import mss
    except ImportError:
        raise missing("mss", "screen capture") from None
    kwargs = {"display": os.environ["DISPLAY"]} if sys.platform.startswith("linux") else {}
    try:
        with mss.mss(**kwargs) as shooter:
            whole = shooter.monitors[0]
            area = {"left": whole["left"], "top": whole["top"], "width": whole["width"], "height": whole["height"]}
            if region is not None:
                area = _clip(region, area)
            shot = shooter.grab(area)
    except mss.exception.ScreenShotError as exc:
        raise DesktopUnavailable(f"the screen could not be captured: {exc}") from None
    return image.frombytes("RGB", shot.size, shot.bgra, "raw", "BGRX")


def _clip(region: Rect, screen: dict[str, int]) -> dict[str, int]:
    left, top = max(region.x, screen["left"]), max(region.y, screen["top"])
    right = min(region.x + region.width, screen["left"] + screen["width"])
    bottom = min(region.y + region.height, screen["top"] + screen["height"])
    if right <= left or bottom <= top:
        raise StepError(
            f"the region {region.width}x{region.height} at ({region.x}, {region.y}) is outside the screen "
            f"({screen['width']}x{screen['height']})",
            kind="value",
        )
    return {"left": left, "top": top, "width": right - left, "height": bottom - top}


def save_png(image: Any, path: Path) -> None:
    """Write ``image`` to ``path`` whole or not at all: a program (or a watch trigger) that reads the file as soon
    as it appears never gets half a PNG."""
    from io import BytesIO

    from engine.io.save import atomic_write

    data = BytesIO()
    image.save(data, "PNG")
    try:
        atomic_write(path, data.getvalue())
    except OSError as exc:
        raise StepError(f"cannot write {path}: {exc.strerror or exc}", kind="file") from None


def load_image(path: Path) -> Any:
    image = _pillow()
    try:
        with image.open(path) as found:
            return found.convert("RGB")
    except FileNotFoundError:
        raise StepError(f"{path}: no such image file", kind="file") from None
    except (OSError, ValueError) as exc:
        raise StepError(f"{path}: not an image Flowdeck can read ({exc})", kind="file") from None
