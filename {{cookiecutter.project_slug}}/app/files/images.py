"""Judging an uploaded image by its content and re-encoding it as a clean avatar.

A browser trusts what it receives, so an avatar is never stored as sent:
its first bytes must be those of a PNG, JPEG, WebP or GIF (the file's name
and declared type are the client's word, not evidence), Pillow must decode
it as that same format within a pixel budget checked before any pixel is
decoded (a 40 KB PNG can declare 40 000 x 40 000 pixels), and what is kept
is a new image drawn from the decoded pixels: no EXIF or GPS block, no text
chunk, no trailing bytes of a polyglot, at most ``AVATAR_SIDE`` pixels a side.
"""

import io
import threading
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

AVATAR_SIDE = 512
JPEG_QUALITY = 85

# Each accepted format: how its files start, and Pillow's name for it.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
WEBP_RIFF, WEBP_TAG = b"RIFF", b"WEBP"
HEADER_BYTES = 12
# Images decoded at once by one process: a 40-million-pixel image takes up to 160 MB
# while decoded, so a burst of uploads waits its turn rather than exhausting memory.
DECODING_SLOTS = threading.BoundedSemaphore(2)


class NotAnImage(Exception):
    """The upload is not an image this app accepts; the message says why, for the form."""


@dataclass(frozen=True)
class CleanImage:
    """An avatar ready to store: freshly encoded bytes and their media type."""

    data: bytes
    content_type: str


def format_of(header: bytes) -> str | None:
    """Pillow's name for the format the first bytes announce, or None."""
    if header[:4] == WEBP_RIFF and header[8:12] == WEBP_TAG:
        return "WEBP"
    return next((name for magic, name in SIGNATURES if header.startswith(magic)), None)


def opened_within(stream: IO[bytes], image_format: str, max_pixels: int) -> Image.Image:
    """Open ``stream`` as ``image_format`` and check its size before decoding a pixel.

    ``Image.open`` reads only the header. Pillow's own bomb guard
    (``Image.MAX_IMAGE_PIXELS``) is a process-wide setting that warns before
    it refuses; the app's limit is checked here instead, and Pillow's warning
    counts as a refusal too.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(stream, formats=[image_format])
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise too_large(max_pixels)
    return image


def too_large(max_pixels: int) -> NotAnImage:
    """The refusal of an image with more pixels than the app decodes."""
    return NotAnImage(f"This image is too large: at most {max_pixels:,} pixels.")


def clean_image(stream: IO[bytes], max_pixels: int) -> CleanImage:
    """Decode the upload and draw a new avatar from its pixels, or raise ``NotAnImage``.

    A JPEG stays a JPEG (photos); every other format becomes a PNG (lossless,
    keeps transparency). An animated GIF keeps its first frame.
    """
    image_format = format_of(stream.read(HEADER_BYTES))
    if image_format is None:
        raise NotAnImage("Choose a PNG, JPEG, WebP or GIF image.")
    stream.seek(0)
    try:
        with DECODING_SLOTS, opened_within(stream, image_format, max_pixels) as image:
            # JPEG decodes straight to a smaller scale: less memory and time.
            image.draft("RGB", (AVATAR_SIDE, AVATAR_SIDE))
            # Turned as the camera said, before the EXIF block that says so is dropped.
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((AVATAR_SIDE, AVATAR_SIDE))
            return encoded(upright, image_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large(max_pixels) from None
    # What Pillow raises for a damaged or truncated file of a known format.
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise NotAnImage("This file is not a readable image.") from None


def encoded(image: Image.Image, image_format: str) -> CleanImage:
    """``image`` saved anew with no metadata: JPEG for photos, PNG for everything else."""
    output = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return CleanImage(output.getvalue(), "image/jpeg")
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
    image.convert(mode).save(output, "PNG", optimize=True)
    return CleanImage(output.getvalue(), "image/png")
