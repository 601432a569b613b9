r"""Where to send a user after login: only ever to a path on this site.

``?next=`` is attacker-controlled. Browsers read ``//evil.example`` and
``/\evil.example`` (and the same with tabs or newlines inside) as links to
another host, so anything but a plain absolute path is refused.

Those two checks are enough: a string that starts with exactly one ``/`` and
holds no backslash or control character has no scheme and no host, however
``urllib.parse.urlsplit`` or a browser reads it.
"""


def safe_next_path(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    return target
