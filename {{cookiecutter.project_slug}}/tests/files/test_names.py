"""Cleaning the client's file name: shown and used for downloads, never as a key."""

import pytest

from app.files.names import MAX_BYTES, clean_filename


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("report.pdf", "report.pdf"),
        ("résumé.pdf", "résumé.pdf"),
        ("報告.txt", "報告.txt"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ada\\secret.txt", "secret.txt"),
        ("dir/sub/", "file"),
        (".htaccess", "htaccess"),
        ("...", "file"),
        ("  . hidden", "hidden"),
        ("a\x00b.txt", "ab.txt"),
        ("line\nbreak\r.txt", "line break .txt"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("tab\there", "tab here"),
        ("", "file"),
        (None, "file"),
    ],
)
def test_a_name_loses_paths_controls_and_leading_dots(sent, kept):
    assert clean_filename(sent) == kept


def test_a_long_name_is_cut_to_255_bytes_keeping_its_extension():
    cleaned = clean_filename("a" * 300 + ".pdf")

    assert len(cleaned.encode("utf-8")) == MAX_BYTES
    assert cleaned.endswith(".pdf")


def test_a_long_name_is_never_cut_inside_a_character():
    cleaned = clean_filename("é" * 200 + ".txt")

    assert len(cleaned.encode("utf-8")) <= MAX_BYTES
    assert cleaned == "é" * 125 + ".txt"


def test_a_long_name_without_an_extension_is_cut_too():
    cleaned = clean_filename("語" * 100)

    assert cleaned == "語" * 85
