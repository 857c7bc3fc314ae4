"""Desktop blocks that look at the screen: screenshots, finding an image, reading text (OCR)."""

from __future__ import annotations

from typing import Any

from engine.blocks._common import resolve, text_of
from engine.blocks._desktop import CATEGORY, region, region_params, seconds, wait_for, window_params
from engine.errors import StepError
from engine.registry import Kind, Output, Param, Ports, block
from engine.registry.context import StepContext

_AREA = [*window_params("Look only at this window (optional)"), *region_params()]


def _grab(x: Any, y: Any, width: Any, height: Any, app: Any, title: Any) -> Any:
    from engine.desktop.capture import grab

    return grab(region(x, y, width, height, app, title))


@block(
    "screen.shot",
    title="Screenshot",
    category=CATEGORY,
    icon="camera",
    help="Save a picture of the screen, of one window or of a region to a PNG file.",
    params=[Param("path", Kind.PATH, required=True, browse="save", help="The PNG file to write."), *_AREA],
    outputs=[Output("path", "the PNG written"), Output("width"), Output("height")],
)
def screen_shot(
    ctx: StepContext, path: Any, app: Any = "", title: Any = "", x: Any = 0, y: Any = 0, width: Any = 0, height: Any = 0
) -> dict[str, Any]:
    from engine.desktop.capture import save_png

    target = resolve(ctx, path, "path")
    image = _grab(x, y, width, height, app, title)
    save_png(image, target)
    return {"path": str(target), "width": image.width, "height": image.height}


@block(
    "screen.find",
    title="Find image on screen",
    category=CATEGORY,
    icon="search",
    help="Look for a picture (a PNG cut from a screenshot) on the screen, waiting up to the timeout; goes to "
    "'found' with where it is, or to 'missing'. Only the same size is found (no zoom or rotation).",
    params=[
        Param("image", Kind.PATH, required=True, help="The PNG to look for."),
        Param("confidence", Kind.NUMBER, default=0.9, minimum=0.1, maximum=1, help="Share of pixels that must match."),
        Param("timeout", Kind.DURATION, default="0s", help="How long to keep looking (0: look once)."),
        *_AREA,
    ],
    ports=Ports(("found", "missing"), help={"found": "the image is on screen", "missing": "it was not found"}),
    outputs=[
        Output("found", "true or false"),
        Output("x", "screen x of its centre (click here)"),
        Output("y", "screen y of its centre"),
        Output("left"),
        Output("top"),
        Output("width"),
        Output("height"),
        Output("confidence", "how well it matched, 0-1"),
    ],
)
def screen_find(
    ctx: StepContext,
    image: Any,
    confidence: Any = 0.9,
    timeout: Any = "0s",
    app: Any = "",
    title: Any = "",
    x: Any = 0,
    y: Any = 0,
    width: Any = 0,
    height: Any = 0,
) -> dict[str, Any]:
    from engine.desktop.capture import load_image
    from engine.desktop.findimage import find

    pattern = load_image(resolve(ctx, image, "image"))
    try:
        wanted = float(confidence)
    except (TypeError, ValueError):
        raise StepError(f"confidence: expected a number between 0.1 and 1, got {confidence!r}", "value") from None
    area = region(x, y, width, height, app, title)
    ox, oy = (area.x, area.y) if area else (0, 0)

    def look() -> Any:
        return find(_grab(x, y, width, height, app, title), pattern, wanted)

    match = wait_for(ctx, look, seconds(timeout, "timeout"))
    if match is None:
        return {"port": "missing", "found": False, "x": None, "y": None, "confidence": 0.0}
    cx, cy = match.center
    return {
        "port": "found",
        "found": True,
        "x": ox + cx,
        "y": oy + cy,
        "left": ox + match.x,
        "top": oy + match.y,
        "width": match.width,
        "height": match.height,
        "confidence": round(match.confidence, 3),
    }


@block(
    "screen.read",
    title="Read text on screen",
    category=CATEGORY,
    icon="text",
    help="Read the text shown in a region or window (OCR with Tesseract, which must be installed).",
    params=[
        *_AREA,
        Param("language", Kind.TEXT, default="eng", help="Tesseract language(s), e.g. eng, deu, eng+fra."),
    ],
    outputs=[Output("text", "the text read"), Output("lines", "the text as a list of non-empty lines")],
)
def screen_read(
    ctx: StepContext,
    app: Any = "",
    title: Any = "",
    x: Any = 0,
    y: Any = 0,
    width: Any = 0,
    height: Any = 0,
    language: Any = "eng",
) -> dict[str, Any]:
    from engine.desktop.ocr import read_text

    text = read_text(_grab(x, y, width, height, app, title), text_of(language) or "eng")
    return {"text": text, "lines": [line for line in text.splitlines() if line.strip()]}
