"""Sizes and colours of the canvas, taken from the application palette so light and dark themes both look right."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

GRID = 20
NODE_W = 190
HEADER_H = 30
SUMMARY_H = 20
PORT_H = 18
PORT_R = 5.0
ICON = 18

CATEGORY_COLOURS = {
    "Files & folders": "#d08a2e",
    "Programs": "#5c6bc0",
    "Web": "#1e88e5",
    "Data": "#8e5cc4",
    "Messages": "#2e9d6a",
    "Desktop": "#00897b",
    "State": "#6d8a96",
    "Control": "#e0564f",
}


@dataclass(frozen=True)
class Colours:
    dark: bool
    background: QColor
    grid: QColor
    node: QColor
    node_border: QColor
    text: QColor
    muted: QColor
    wire: QColor
    selection: QColor
    problem: QColor
    running: QColor
    ok: QColor
    failed: QColor


def colours() -> Colours:
    palette = QGuiApplication.palette()
    return _colours(palette.color(QPalette.ColorRole.Window).name(), palette.color(QPalette.ColorRole.Text).name())


@lru_cache(maxsize=4)
def _colours(window: str, text: str) -> Colours:
    dark = QColor(window).lightness() < 128
    if dark:
        return Colours(
            True, QColor("#1e2126"), QColor("#2a2e35"), QColor("#2c3038"), QColor("#454b55"), QColor(text),
            QColor("#9aa3ad"), QColor("#8b95a1"), QColor("#4c9aff"), QColor("#ff6b63"), QColor("#f2b33d"),
            QColor("#3fbf7f"), QColor("#ff6b63"),
        )  # fmt: skip
    return Colours(
        False, QColor("#f4f5f7"), QColor("#e3e6ea"), QColor("#ffffff"), QColor("#c9ced6"), QColor(text),
        QColor("#6b7480"), QColor("#8a94a3"), QColor("#2f7de1"), QColor("#d93025"), QColor("#e59700"),
        QColor("#1e9e5a"), QColor("#d93025"),
    )  # fmt: skip


def category_colour(category: str) -> QColor:
    found = CATEGORY_COLOURS.get(category)
    if found:
        return QColor(found)
    hue = sum(map(ord, category)) * 37 % 360
    return QColor.fromHsl(hue, 120, 120)


def icons_folder() -> Path:
    import resources

    return Path(resources.__file__).resolve().parent / "icons" / "blocks"


@lru_cache(maxsize=128)
def icon(name: str) -> QIcon:
    """The block icon ``name`` (resources/icons/blocks/<name>.svg), or the generic block icon."""
    folder = icons_folder()
    path = folder / f"{name}.svg"
    if not path.exists():
        path = folder / "block.svg"
    return QIcon(str(path))


@lru_cache(maxsize=256)
def icon_pixmap(name: str, size: int = ICON, tint: str = "") -> QPixmap:
    """The icon drawn at ``size`` device pixels; ``tint`` recolours its strokes (for dark themes)."""
    ratio = QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.primaryScreen() else 1.0
    pix = icon(name).pixmap(QSize(size, size), ratio)
    if tint:
        painter = QPainter(pix)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(pix.rect(), QColor(tint))
        painter.end()
    return pix


def fonts() -> tuple[QFont, QFont]:
    """The title font (bold) and the smaller font for summaries and port names."""
    base = QGuiApplication.font()
    return _fonts(base.toString())


@lru_cache(maxsize=4)
def _fonts(description: str) -> tuple[QFont, QFont]:
    title = QFont()
    title.fromString(description)
    title.setBold(True)
    small = QFont()
    small.fromString(description)
    small.setPointSizeF(max(7.0, small.pointSizeF() * 0.88))
    return title, small


def snap(value: float) -> float:
    return round(value / GRID) * GRID


PEN_CAP = Qt.PenCapStyle.RoundCap

# The named colours of notes and groups (layout: colour: …); any #rrggbb works too.
DECOR_COLOURS = {
    "yellow": "#f2c94c",
    "blue": "#4c8fe0",
    "green": "#3fae6a",
    "red": "#e0605a",
    "purple": "#9b6ad6",
    "grey": "#8a94a3",
}


def decor_colour(name: str) -> QColor:
    """The base colour of a note or group."""
    return QColor(DECOR_COLOURS.get(name, name if name.startswith("#") else DECOR_COLOURS["blue"]))


def note_fill(name: str) -> QColor:
    """A note's paper: a pale tint on light themes, a deep one on dark themes (text stays readable on both)."""
    base = decor_colour(name)
    if colours().dark:
        return QColor.fromHslF(base.hslHueF() % 1.0, min(1.0, base.hslSaturationF() * 0.45), 0.24)
    return QColor.fromHslF(base.hslHueF() % 1.0, min(1.0, base.hslSaturationF() * 0.9), 0.88)


def on_screen_scale(painter: QPainter) -> float:
    """How many screen pixels one scene unit covers: the view's zoom times the screen's scale (2 at 200 %).

    Level-of-detail choices use this, so a 200 % screen shows text at the zoom where its pixels make it readable,
    not only where a 100 % screen would (zoom-to-fit on a small canvas there still shows the blocks' text)."""
    device = painter.device()
    ratio = device.devicePixelRatioF() if device is not None else 1.0
    return painter.worldTransform().m11() * max(1.0, ratio)
