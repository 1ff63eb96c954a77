"""Photos made with Pillow for the report tests: one carrying GPS, XMP, ICC and a comment."""

from __future__ import annotations

import io

from PIL import Image, ImageCms

XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">XMP-MARKER-LOCATION</x:xmpmeta>'
CAMERA = "MARKER-CAMERA-MAKER"


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int | None = None) -> bytes:
    """A JPEG whose EXIF holds a GPS position, a camera maker, and an ICC profile and XMP."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (39.0, 47.0, 56.0), 3: "W", 4: (89.0, 39.0, 1.0)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=icc, xmp=XMP, comment=b"MARKER-COMMENT")
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "MARKER-PNG-TEXT")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    exif = Image.Exif()
    exif[0x010F] = CAMERA
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 128, 0, 200)).save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()
