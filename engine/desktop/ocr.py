"""Reading the text of a screen image with Tesseract, through pytesseract (a maintained binding to the program)."""

from __future__ import annotations

from typing import Any

from engine.desktop import missing
from engine.desktop.base import DesktopUnavailable
from engine.errors import StepError

INSTALL = (
    "install Tesseract (Debian/Ubuntu: apt install tesseract-ocr; Fedora: dnf install tesseract; macOS: brew "
    "install tesseract; Windows: the installer from the UB Mannheim Tesseract page, then add it to PATH)"
)


def read_text(image: Any, language: str = "eng") -> str:
    try:
        import pytesseract
    except ImportError:
        raise missing("pytesseract", "reading text on screen (OCR)") from None
    scaled = image.resize((image.width * 2, image.height * 2))  # Tesseract reads screen-size type better enlarged
    try:
        return str(pytesseract.image_to_string(scaled, lang=language)).strip()
    except pytesseract.TesseractNotFoundError:
        raise DesktopUnavailable(
            f"reading text on screen needs the Tesseract program, which is not installed: {INSTALL}"
        )
    except pytesseract.TesseractError as exc:
        message = str(exc.message or exc).strip().splitlines()
        raise StepError(f"Tesseract could not read the region: {message[-1] if message else exc}", kind="program")
