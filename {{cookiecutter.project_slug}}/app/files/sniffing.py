"""The content type of a stored file, judged from its first bytes, never from its name
or the type the client declared.

Only types browsers show harmlessly are ever named: PNG, JPEG, GIF and WebP
images, PDF, and plain text. Everything else (HTML, SVG, XML, scripts, zips,
unknown bytes) is ``application/octet-stream``, which a browser only offers
to save. A polyglot (a GIF that is also JavaScript) is still served as an
image with ``nosniff``, so no browser runs it as a script.

A table of magic numbers, rather than a library: python-magic needs the C
libmagic, and ``filetype`` knows a hundred types when six matter here.
"""

from typing import IO

OPAQUE = "application/octet-stream"
PLAIN_TEXT = "text/plain; charset=utf-8"
# Every type a download may be served as (the API documents them all).
SERVED_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    OPAQUE,
)
# How much of the file is read to judge it.
SNIFF_BYTES = 8192
# (offset, magic, type): the first match wins.
MAGIC_NUMBERS = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
)
# Text that is not plain: markup or a script might be rendered by a lenient client.
MARKUP_SIGNS = (b"<", b"\x00")
ALLOWED_CONTROLS = frozenset(b"\t\n\r\f")


def is_webp(head: bytes) -> bool:
    """A RIFF container whose form type is WEBP."""
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def is_plain_text(head: bytes, complete: bool) -> bool:
    """UTF-8 without control characters or markup (``complete``: ``head`` is the whole file,
    so a character cut at the end of the sample is an error, not the sample's edge)."""
    if not head or any(sign in head for sign in MARKUP_SIGNS):
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if complete or error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8")
    return all(char.isprintable() or ord(char) in ALLOWED_CONTROLS for char in text)


def sniff_content_type(head: bytes, complete: bool = False) -> str:
    """The type to serve a file starting with ``head`` as."""
    for offset, magic, content_type in MAGIC_NUMBERS:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    if is_webp(head):
        return "image/webp"
    if is_plain_text(head, complete):
        return PLAIN_TEXT
    return OPAQUE


def sniff_stream(stream: IO[bytes], size: int) -> str:
    """The type of the file in ``stream`` (read from its start, then rewound)."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    return sniff_content_type(head, complete=size <= SNIFF_BYTES)
