"""Photos are redrawn without metadata; anything not a JPEG or PNG photo is refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.photo_samples import CAMERA, jpeg_with_gps, png_with_text
from webapp.reports.errors import PhotoRefused
from webapp.reports.photos import MAX_PHOTO_BYTES, clean_photo

MARKERS = (b"MARKER", b"xmpmeta", b"Exif", b"ICC_PROFILE", CAMERA.encode())


def test_the_sample_really_carries_gps_and_the_rest():
    raw = jpeg_with_gps()
    with Image.open(io.BytesIO(raw)) as image:
        assert image.getexif().get_ifd(0x8825)[1] == "N"
        assert "icc_profile" in image.info and "xmp" in image.info
    assert all(marker in raw for marker in MARKERS)


def test_a_jpeg_keeps_its_pixels_and_loses_exif_gps_xmp_icc_and_comments():
    clean = clean_photo(jpeg_with_gps())
    assert clean.media_type == "image/jpeg" and (clean.width, clean.height) == (64, 48)
    assert not any(marker in clean.data for marker in MARKERS)
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == "JPEG" and not image.getexif()
        assert not set(image.info) & {"exif", "icc_profile", "xmp", "comment"}
        left, right = image.getpixel((5, 20)), image.getpixel((60, 20))
        assert left[2] > 150 and right[0] > 150, "the picture itself is kept"


def test_a_turned_camera_photo_stands_the_right_way_up_without_its_tag():
    clean = clean_photo(jpeg_with_gps(size=(64, 48), orientation=6))
    assert (clean.width, clean.height) == (48, 64)
    with Image.open(io.BytesIO(clean.data)) as image:
        assert 0x0112 not in image.getexif()


def test_a_png_loses_its_text_chunks_and_exif_and_keeps_transparency():
    clean = clean_photo(png_with_text())
    assert clean.media_type == "image/png"
    assert b"MARKER" not in clean.data and CAMERA.encode() not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.mode == "RGBA" and image.getpixel((1, 1))[3] == 200
        assert not image.text and not image.getexif()


@pytest.mark.parametrize(
    "raw",
    [
        b"%PDF-1.4 not a photo at all",
        b"\xff\xd8\xff\xe0" + b"\x00" * 200,  # a JPEG's first bytes, then nothing
        b"GIF89a" + b"\x00" * 100,
        b"",
    ],
)
def test_anything_but_a_readable_jpeg_or_png_is_refused_as_a_type(raw):
    with pytest.raises(PhotoRefused) as refused:
        clean_photo(raw)
    assert refused.value.reason == "type"


def test_a_gif_named_like_a_photo_is_refused():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "GIF")
    with pytest.raises(PhotoRefused):
        clean_photo(out.getvalue())


def test_too_many_bytes_or_pixels_are_refused_as_size():
    with pytest.raises(PhotoRefused) as refused:
        clean_photo(b"\xff" * (MAX_PHOTO_BYTES + 1))
    assert refused.value.reason == "size"
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 megapixels in a few kilobytes
    assert len(out.getvalue()) < MAX_PHOTO_BYTES
    with pytest.raises(PhotoRefused) as bomb:
        clean_photo(out.getvalue())
    assert bomb.value.reason == "size"
