"""Find-image on images drawn here (no display): the right place, the confidence, and a miss."""

from PIL import Image, ImageDraw

from engine.desktop.findimage import find


def _screen() -> Image.Image:
    screen = Image.new("RGB", (1280, 800), "white")
    draw = ImageDraw.Draw(screen)
    for i in range(0, 1280, 64):  # distractors: grey stripes and squares of another colour
        draw.rectangle((i, 600, i + 30, 640), fill="#888888")
        draw.rectangle((i, 100, i + 40, 140), fill="#000000")
    draw.rectangle((731, 377, 771, 417), fill="#000000")
    draw.rectangle((739, 385, 755, 401), fill="#ff8800")
    return screen


def _pattern() -> Image.Image:
    pattern = Image.new("RGB", (40, 40), "#000000")
    ImageDraw.Draw(pattern).rectangle((8, 8, 24, 24), fill="#ff8800")
    return pattern


def test_the_pattern_is_found_at_its_place_with_full_confidence() -> None:
    match = find(_screen(), _pattern(), 0.9)
    assert match is not None
    assert (match.x, match.y, match.width, match.height) == (731, 377, 40, 40)
    assert match.confidence == 1.0
    assert match.center == (751, 397)


def test_a_slightly_changed_pattern_is_found_with_lower_confidence_and_missed_above_it() -> None:
    changed = _pattern()
    ImageDraw.Draw(changed).rectangle((30, 30, 39, 39), fill="#ffffff")  # 100 of 1600 pixels differ
    match = find(_screen(), changed, 0.9)
    assert match is not None and (match.x, match.y) == (731, 377)
    assert 0.9 <= match.confidence < 1.0
    assert find(_screen(), changed, 0.99) is None


def test_a_pattern_that_is_not_there_is_not_found() -> None:
    other = Image.new("RGB", (30, 30), "#00aaff")
    assert find(_screen(), other, 0.8) is None
    assert find(Image.new("RGB", (10, 10)), _pattern(), 0.5) is None  # larger than the screen
