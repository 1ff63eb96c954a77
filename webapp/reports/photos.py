"""Photos sent with a report: only JPEG and PNG, recognised by their content, and redrawn.

The pixels are copied into a new image and encoded again, so nothing of the file travels on:
no EXIF (GPS position, camera, time), XMP, ICC profile, comments or text chunks. A camera's
orientation tag is applied to the pixels first, so the photo still stands the right way up.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from webapp.reports.errors import PhotoRefused

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 3 * 1024 * 1024  # five of them fit the 16 MB a request may carry
MAX_PIXELS = 40_000_000  # a 40-megapixel camera; more is a decompression bomb, not a photo
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}

# Pillow logs every EXIF tag it reads at DEBUG, the GPS position included: never that low.
logging.getLogger("PIL").setLevel(logging.INFO)


@dataclass(frozen=True)
class CleanPhoto:
    media_type: str
    width: int
    height: int
    data: bytes


def clean_photo(raw: bytes) -> CleanPhoto:
    """The photo in `raw`, redrawn without metadata; PhotoRefused when it is not one."""
    if len(raw) > MAX_PHOTO_BYTES:
        raise PhotoRefused("size")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=list(FORMATS)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoRefused("size")
                kind = image.format or ""
                upright = ImageOps.exif_transpose(image)
                pixels = _plain_pixels(upright, kind)
    except PhotoRefused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise PhotoRefused("type") from None
    return _encode(pixels, kind)


def _plain_pixels(image: Image.Image, kind: str) -> Image.Image:
    """A new image holding only the pixels (`info`, EXIF and profiles stay behind)."""
    keep = ("RGB", "L") if kind == "JPEG" else ("RGB", "RGBA", "L", "LA")
    if image.mode not in keep:
        transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if transparent and kind == "PNG" else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image: Image.Image, kind: str) -> CleanPhoto:
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, format="JPEG", quality=85, optimize=True)
    else:
        image.save(out, format="PNG", optimize=True)
    return CleanPhoto(FORMATS[kind], image.width, image.height, out.getvalue())
