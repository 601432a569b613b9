"""The served type comes from the content, and only for types browsers show harmlessly."""

import io

import pytest

from app.files.sniffing import OPAQUE, PLAIN_TEXT, SNIFF_BYTES, sniff_content_type, sniff_stream

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


@pytest.mark.parametrize(
    ("content", "served_as"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 10, "image/jpeg"),
        (b"GIF89a" + b"\x00" * 10, "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        ("plain words, naïve\n".encode(), PLAIN_TEXT),
        (b"<!doctype html><script>alert(1)</script>", OPAQUE),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", OPAQUE),
        (b"<?xml version='1.0'?><a/>", OPAQUE),
        (b"hello <script>alert(1)</script>", OPAQUE),
        (b"PK\x03\x04" + b"\x00" * 20, OPAQUE),
        (b"\x00\x01\x02binary", OPAQUE),
        (b"\xff\xfe not utf-8", OPAQUE),
        (b"bell\x07", OPAQUE),
    ],
)
def test_content_decides_the_type(content, served_as):
    assert sniff_content_type(content, complete=True) == served_as


def test_a_polyglot_gif_is_still_an_image_never_a_script():
    assert sniff_content_type(b"GIF89a/*<script>*/=alert(1)//", complete=True) == "image/gif"


def test_a_character_cut_at_the_end_of_the_sample_is_still_text():
    head = ("é" * SNIFF_BYTES).encode()[: SNIFF_BYTES - 1]

    assert sniff_content_type(head, complete=False) == PLAIN_TEXT
    assert sniff_content_type(head, complete=True) == OPAQUE


def test_sniffing_a_stream_rewinds_it():
    stream = io.BytesIO(PNG)

    assert sniff_stream(stream, len(PNG)) == "image/png"
    assert stream.tell() == 0
