"""The client's file name, cleaned: kept for display and download only, never as a key.

Werkzeug's ``secure_filename`` keeps ASCII only and returns "" for some
names; a user's "résumé.pdf" or "報告.txt" deserves better. Here a name
loses any directory part, control and formatting characters (NUL, bidi
overrides), and leading dots and spaces, and is cut to 255 bytes of UTF-8
on a character boundary, keeping its extension.
"""

import re
import unicodedata

MAX_BYTES = 255
FALLBACK = "file"
# Control, format (bidi overrides, zero-width), separators other than space, surrogates...
DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
SPACES = re.compile(r"\s+")
# An extension kept whole when a long name is cut: a dot and up to 16 characters.
EXTENSION = re.compile(r"\.[^.]{1,16}$")


def truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to ``max_bytes`` of UTF-8, never in the middle of a character."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")


def clean_filename(name: str | None) -> str:
    """A name safe to show and to put in ``Content-Disposition``; never empty."""
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    text = "".join(
        " " if char.isspace() else char
        for char in text
        if unicodedata.category(char) not in DROPPED_CATEGORIES or char.isspace()
    )
    text = SPACES.sub(" ", text.rsplit("/", 1)[-1])  # the last part of any path
    text = text.strip().lstrip(". ").strip()
    if len(text.encode("utf-8")) > MAX_BYTES:
        match = EXTENSION.search(text)
        extension = match.group() if match else ""
        stem = text[: len(text) - len(extension)]
        text = truncate_utf8(stem, MAX_BYTES - len(extension.encode("utf-8"))).rstrip() + extension
    return text or FALLBACK
