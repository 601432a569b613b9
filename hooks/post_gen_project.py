"""Finish a fresh bake: write a private .env with new secrets.

The secret is made here, with the standard library's ``secrets`` module,
rather than as a cookiecutter variable: cookiecutter saves every answer in
its replay file, and a secret must never be written anywhere but ``.env``
(which .gitignore keeps out of version control).
"""

import os
import secrets
from pathlib import Path

OWNER_READ_WRITE = 0o600

# Each placeholder in .env.example and the secret that replaces it in .env.
SECRETS = {
    "change-me-to-a-long-random-string": lambda: secrets.token_urlsafe(48),
    "change-me-postgres-password": lambda: secrets.token_urlsafe(24),
    # Hex: it is also a redis-server argument, which must not start with "--".
    "change-me-redis-password": lambda: secrets.token_hex(24),
}


def write_env_file(project_root):
    """Copy .env.example to .env, swapping each placeholder for a fresh secret."""
    example = project_root / ".env.example"
    target = project_root / ".env"
    text = example.read_text(encoding="utf-8")
    for placeholder, make_secret in SECRETS.items():
        if placeholder not in text:
            raise SystemExit(f"ERROR: {example} has no {placeholder!r} placeholder to replace.")
        text = text.replace(placeholder, make_secret())
    # Created private, so the secrets are never readable by others, even briefly.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_READ_WRITE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as env_file:
        env_file.write(text)
    target.chmod(OWNER_READ_WRITE)


if __name__ == "__main__":
    write_env_file(Path.cwd())
