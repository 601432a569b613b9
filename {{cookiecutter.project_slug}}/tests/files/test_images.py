"""Avatar images: judged by content, decoded within a pixel budget, re-encoded clean."""

import io
import struct
import zlib

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from app.files.images import AVATAR_SIDE, NotAnImage, clean_image

MAX_PIXELS = 40_000_000


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    output = io.BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_a_photo_loses_its_exif_and_gps_and_is_turned_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90 degrees
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    photo = encoded(Image.new("RGB", (3000, 2000), "red"), "JPEG", exif=exif.tobytes())

    avatar = clean_image(io.BytesIO(photo), MAX_PIXELS)

    assert avatar.content_type == "image/jpeg"
    with Image.open(io.BytesIO(avatar.data)) as result:
        assert result.size == (341, AVATAR_SIDE)
        assert dict(result.getexif()) == {}
        assert "icc_profile" not in result.info
    assert b"Camera maker" not in avatar.data


@pytest.mark.parametrize("image_format", ["PNG", "GIF", "WEBP"])
def test_other_formats_become_a_png_at_most_512_pixels_a_side(image_format: str) -> None:
    upload = encoded(Image.new("RGB", (1200, 600), "blue"), image_format)

    avatar = clean_image(io.BytesIO(upload), MAX_PIXELS)

    assert avatar.content_type == "image/png"
    with Image.open(io.BytesIO(avatar.data)) as result:
        assert (result.format, result.size) == ("PNG", (AVATAR_SIDE, 256))


def test_a_png_text_chunk_is_not_kept() -> None:
    info = PngInfo()
    info.add_text("Comment", "secret location")
    upload = encoded(Image.new("RGBA", (20, 20)), "PNG", pnginfo=info)

    assert b"secret location" not in clean_image(io.BytesIO(upload), MAX_PIXELS).data


def test_the_bytes_after_a_polyglot_image_are_dropped() -> None:
    upload = encoded(Image.new("RGB", (20, 20)), "PNG") + b"<html><script>alert(1)</script>"

    assert b"<script>" not in clean_image(io.BytesIO(upload), MAX_PIXELS).data


@pytest.mark.parametrize(
    "upload",
    [
        b"",
        b"<html><body>hello</body></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"PK\x03\x04" + b"\x00" * 100,
        b"%PDF-1.7\n",
    ],
    ids=["empty", "html", "svg", "zip", "pdf"],
)
def test_what_does_not_start_like_an_accepted_image_is_refused(upload: bytes) -> None:
    with pytest.raises(NotAnImage, match="PNG, JPEG, WebP or GIF"):
        clean_image(io.BytesIO(upload), MAX_PIXELS)


def test_a_damaged_image_is_refused() -> None:
    truncated = encoded(Image.new("RGB", (200, 200), "green"), "JPEG")[:300]

    with pytest.raises(NotAnImage, match="not a readable image"):
        clean_image(io.BytesIO(truncated), MAX_PIXELS)


@pytest.mark.parametrize("side", [7000, 10_000, 100_000], ids=["over-ours", "over-pillows", "bomb"])
def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(side: int) -> None:
    with pytest.raises(NotAnImage, match="too large"):
        clean_image(io.BytesIO(png_declaring(side, side)), MAX_PIXELS)


def test_the_pixel_limit_is_the_callers() -> None:
    upload = encoded(Image.new("RGB", (100, 100)), "PNG")

    with pytest.raises(NotAnImage, match="at most 9,999 pixels"):
        clean_image(io.BytesIO(upload), 9_999)
    assert clean_image(io.BytesIO(upload), 10_000).content_type == "image/png"
