"""The app icon and the tray's state badges (idle, running, paused, failed) drawn over it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QWidget

IDLE, RUNNING, PAUSED, FAILED = "idle", "running", "paused", "failed"
STATES = (IDLE, RUNNING, PAUSED, FAILED)
_SIZES = (16, 22, 24, 32, 48, 64, 128)
_BADGE = {RUNNING: "#2f80ed", PAUSED: "#f2a516", FAILED: "#e0403a"}


def icon_file() -> Path:
    import resources

    return Path(resources.__file__).parent / "icons" / "flowdeck.svg"


@cache
def app_icon() -> QIcon:
    """The packaged SVG if it is there, else a drawn one (same shape language: three wired blocks)."""
    path = icon_file()
    if path.is_file():
        icon = QIcon(str(path))
        if not icon.isNull():
            return icon
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(_drawn_base(size))
    return icon


def _drawn_base(size: int) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 64.0
    grad = QLinearGradient(0, 0, 0, size)
    grad.setColorAt(0, QColor("#3b6fd8"))
    grad.setColorAt(1, QColor("#243f8f"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(grad))
    p.drawRoundedRect(QRectF(2 * s, 2 * s, 60 * s, 60 * s), 14 * s, 14 * s)
    wire = QPen(QColor("#cfe0ff"), max(1.0, 3.2 * s))
    wire.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(wire)
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(20 * s, 20 * s))
    path.cubicTo(QPointF(34 * s, 20 * s), QPointF(30 * s, 32 * s), QPointF(44 * s, 32 * s))
    path.moveTo(QPointF(20 * s, 44 * s))
    path.cubicTo(QPointF(34 * s, 44 * s), QPointF(30 * s, 32 * s), QPointF(44 * s, 32 * s))
    p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    for x, y in ((14, 14), (14, 38), (38, 26)):
        p.drawRoundedRect(QRectF(x * s, y * s, 12 * s, 12 * s), 3 * s, 3 * s)
    p.end()
    return pix


def _badge(p: QPainter, state: str, size: int) -> None:
    """A coloured disc in the lower right with a glyph: ▶ running, ❚❚ paused, ! failed."""
    d = size * 0.56
    rect = QRectF(size - d, size - d, d, d)
    p.setPen(QPen(QColor("white"), max(1.0, size / 24)))
    p.setBrush(QColor(_BADGE[state]))
    p.drawEllipse(rect.adjusted(0.5, 0.5, -0.5, -0.5))
    c = rect.center()
    g = d * 0.22
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    if state == RUNNING:
        p.drawPolygon(
            QPolygonF(
                [QPointF(c.x() - g * 0.8, c.y() - g), QPointF(c.x() - g * 0.8, c.y() + g), QPointF(c.x() + g, c.y())]
            )
        )
    elif state == PAUSED:
        w = g * 0.6
        p.drawRect(QRectF(c.x() - g * 0.9, c.y() - g, w, 2 * g))
        p.drawRect(QRectF(c.x() + g * 0.3, c.y() - g, w, 2 * g))
    else:
        w = max(1.0, g * 0.5)
        p.drawRoundedRect(QRectF(c.x() - w / 2, c.y() - g * 1.1, w, g * 1.4), w / 2, w / 2)
        p.drawEllipse(QRectF(c.x() - w / 2, c.y() + g * 0.55, w, w))


@cache
def state_icon(state: str) -> QIcon:
    """The app icon with the badge of ``state`` (idle has none)."""
    if state not in STATES:
        raise ValueError(f"unknown tray state {state!r}; expected one of {', '.join(STATES)}")
    base = app_icon()
    if state == IDLE:
        return base
    icon = QIcon()
    for size in _SIZES:
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.drawPixmap(0, 0, base.pixmap(size, size))
        _badge(p, state, size)
        p.end()
        icon.addPixmap(pix)
    return icon


def status_icon(status: str) -> QIcon:
    """A small round mark for a run's status in lists: green ✓, red ✗, grey ■, blue ▶."""
    return _status_icon(status)


@cache
def _status_icon(status: str) -> QIcon:
    color = {"succeeded": "#2e9d55", "failed": "#e0403a", "cancelled": "#8a8f98", "running": "#2f80ed"}.get(
        status, "#8a8f98"
    )
    pix = QPixmap(16, 16)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    p.drawEllipse(QRectF(2, 2, 12, 12))
    p.end()
    return QIcon(pix)


def _darkness(image: QImage) -> float | None:
    """How dark and grey an icon's visible pixels are (0 light .. 1 black), None for a coloured or empty one."""
    total = weight = sat = 0.0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if c.alphaF() < 0.3:
                continue
            total += c.alphaF() * (1 - c.lightnessF())
            sat += c.alphaF() * c.hsvSaturationF()
            weight += c.alphaF()
    if not weight or sat / weight > 0.35:  # colours (a yellow folder, a blue disk) read on any background
        return None
    return total / weight


def readable_icon(icon: QIcon, background: QColor, text: QColor, size: int = 24) -> QIcon | None:
    """``icon`` drawn in ``text`` colour when it is a dark grey glyph on a dark ``background`` (the style's
    fallback icons are drawn for light themes); None when it reads well as it is."""
    if icon.isNull() or background.lightnessF() > 0.5:
        return None
    darkness = _darkness(icon.pixmap(size, size).toImage())
    if darkness is None or darkness < 0.55:
        return None
    out = QIcon()
    for px in (16, 22, 24, 32, 48):
        pix = icon.pixmap(px, px)
        if pix.isNull():
            continue
        tinted = QPixmap(pix.size())
        tinted.setDevicePixelRatio(pix.devicePixelRatio())
        tinted.fill(Qt.GlobalColor.transparent)
        p = QPainter(tinted)
        p.drawPixmap(0, 0, pix)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        p.fillRect(tinted.rect(), text)
        p.end()
        out.addPixmap(tinted)
    return out


def fit_toolbar_icons(window: QWidget) -> int:
    """Make every tool bar icon of ``window`` readable on its palette: dark glyphs on a dark theme are drawn in
    the text colour; the originals come back on a light one. Returns how many were tinted."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QToolBar

    palette = window.palette()
    background = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    tinted = 0
    for bar in window.findChildren(QToolBar):
        for action in bar.actions():
            original = action.property("flowdeckIcon")
            if original is None:
                original = action.icon()
                action.setProperty("flowdeckIcon", original)
            better = readable_icon(original, background, text)
            action.setIcon(better or original)
            tinted += better is not None
    return tinted
