"""Optical character recognition of page images, by Debian's tesseract (via pytesseract).

Scanned PDFs have pages that are only pictures; tesseract reads their text in the
product's three languages at once ("eng+por+spa"), so a Portuguese or Spanish report
keeps its accents. Whether OCR works is asked of the installed tesseract each time
(it is a separate program that may be installed or removed while the server runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow is imported only where an image is read
    from PIL.Image import Image

TESSERACT_LANGUAGES: tuple[str, ...] = ("eng", "por", "spa")
INSTALL_HINT = "install Debian's tesseract-ocr tesseract-ocr-por tesseract-ocr-spa"
# Tesseract reads letters best at about 20-40 pixels high; page images from phones or
# high-resolution scanners are shrunk to this many pixels on their long side, which
# keeps the time per page bounded without losing legible text.
MAX_SIDE_PIXELS = 3500


def ocr_status() -> str | None:
    """None when OCR works; else why not, and how to install what is missing."""
    import pytesseract

    try:
        pytesseract.get_tesseract_version()
        installed = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError:
        return f"tesseract is not installed; {INSTALL_HINT}"
    except pytesseract.TesseractError as error:
        return f"tesseract does not run ({error}); {INSTALL_HINT}"
    missing = [language for language in TESSERACT_LANGUAGES if language not in installed]
    if missing:
        return f"tesseract has no language data for {', '.join(missing)}; {INSTALL_HINT}"
    return None


class OCRFailed(Exception):
    """Tesseract could not read an image (it failed on it, or was stopped by the timeout)."""


def read_image_text(image: "Image", timeout: float) -> str:
    """The text tesseract reads from one page image (English, Portuguese and Spanish),
    given at most `timeout` seconds; OCRFailed when tesseract fails or is stopped."""
    import pytesseract

    grey = image.convert("L")
    longest = max(grey.size)
    if longest > MAX_SIDE_PIXELS:
        scale = MAX_SIDE_PIXELS / longest
        grey = grey.resize((max(1, int(grey.width * scale)), max(1, int(grey.height * scale))))
    try:
        return pytesseract.image_to_string(grey, lang="+".join(TESSERACT_LANGUAGES), timeout=max(timeout, 1))
    except (pytesseract.TesseractError, RuntimeError) as error:  # RuntimeError: pytesseract's timeout
        raise OCRFailed(str(error).strip() or type(error).__name__) from error
