"""Finish a fresh bake: remove the parts an answer turned off, write a private .env,
and record where the project came from in .cruft.json (for ``cruft update``).

Every file is rendered first; then this hook deletes what belongs to a part
the answers left out (cookiecutter-django's way), so few files need
``{% raw %}{% if %}{% endraw %}`` blocks and a part that is off leaves nothing behind.

The secrets are made here, with the standard library's ``secrets`` module,
rather than as cookiecutter variables: cookiecutter saves every answer in
its replay file, and a secret must never be written anywhere but ``.env``
(which .gitignore keeps out of version control).
"""

import json
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

OWNER_READ_WRITE = 0o600

ANSWERS = {
    "use_api": {{ "True" if cookiecutter.use_api else "False" }},
    "use_example_notes": {{ "True" if cookiecutter.use_example_notes else "False" }},
    "use_realtime": {{ "True" if cookiecutter.use_realtime else "False" }},
    "use_uploads": {{ "True" if cookiecutter.use_uploads else "False" }},
    "use_admin": {{ "True" if cookiecutter.use_admin else "False" }},
    "use_benchmark": {{ "True" if cookiecutter.use_benchmark else "False" }},
}

# The files and directories of each part, relative to the project root. A
# path listed under several answers goes when any of them is off.
PART_PATHS = {
    "use_api": [
        "app/api",
        "tests/api",
        "migrations/versions/0002_create_api_tokens.py",
        "migrations/versions/0007_api_token_names.py",
        "app/notes/api.py",
        "tests/notes/test_notes_api.py",
        "app/realtime/bearer.py",
        "tests/realtime/test_bearer.py",
        "docs/api.md",
        "tests/browser/test_live_notes_api.py",
        "tests/browser/test_tokens_journey.py",
        "app/notes/attachments_api.py",
        "tests/notes/test_attachments_api.py",
        "tests/admin/test_api.py",
    ],
    "use_example_notes": [
        "app/notes",
        "tests/notes",
        "migrations/versions/0003_create_notes.py",
        "tests/browser/test_notes_journey.py",
    ],
    "use_realtime": [
        "app/realtime",
        "tests/realtime",
        "docs/live-updates.md",
        "app/notes/live.py",
        "app/notes/static/notes-live.js",
        "app/notes/templates/notes/live_panel.html",
        "tests/browser/test_live_notes.py",
        "tests/browser/test_live_notes_api.py",
    ],
    "use_uploads": [
        "app/files",
        "app/account/avatar.py",
        "app/templates/account/avatar.html",
        "app/templates/account/avatar_panel.html",
        "app/templates/account/nav_avatar.html",
        "tests/test_avatar.py",
        "tests/browser/test_files_journey.py",
        "app/infrastructure/storage.py",
        "app/infrastructure/storage_local.py",
        "app/infrastructure/storage_s3.py",
        "app/notes/attachments.py",
        "app/notes/attachments_api.py",
        "app/notes/attachment_views.py",
        "app/notes/templates/notes/attachments.html",
        "app/notes/templates/notes/delete_attachment.html",
        "migrations/versions/0006_files.py",
        "tests/files",
        "tests/notes/test_attachments.py",
        "tests/notes/test_attachments_api.py",
        "docs/files.md",
        "docker-compose.s3.yml",
    ],
    "use_admin": [
        "app/admin",
        "app/auth/audit.py",
        "app/auth/directory.py",
        "app/auth/roles.py",
        "app/api/admin.py",
        "app/static/css/admin.css",
        "migrations/versions/0005_roles.py",
        "tests/admin",
        "tests/realtime/test_disabled_users.py",
        "docs/administration.md",
    ],
    "use_benchmark": [
        "bench",
        "docs/benchmark.md",
        "tests/bench",
    ],
}

# The bake as cookiecutter saw it: the answers, and where the template came from.
# ``_repo_dir`` is missing when cruft renders the template itself (create,
# update, diff): cruft then writes .cruft.json on its own.
CONTEXT = json.loads({{ cookiecutter | tojson | tojson }})
# cookiecutter's abbreviations, spelled out as the git URLs cruft clones.
ABBREVIATIONS = {
    "gh": "https://github.com/{}.git",
    "gl": "https://gitlab.com/{}.git",
    "bb": "https://bitbucket.org/{}",
}

# Each placeholder in .env.example and the secret that replaces it in .env.
SECRETS = {
    "change-me-to-a-long-random-string": lambda: secrets.token_urlsafe(48),
    "change-me-postgres-password": lambda: secrets.token_urlsafe(24),
    # Hex: it is also a redis-server argument, which must not start with "--".
    "change-me-redis-password": lambda: secrets.token_hex(24),
}

# The development storage directory in .env.example, replaced in .env by the
# project's own instance/files (STORAGE_URL must be an absolute file:// URL).
STORAGE_PLACEHOLDER = "file:///path/to/this/project/instance/files"


def paths_to_remove(answers):
    """The paths of every part whose answer is off, each once, in a stable order."""
    found = []
    for answer, paths in PART_PATHS.items():
        if not answers[answer]:
            found += [path for path in paths if path not in found]
    return found


def remove_parts(project_root, answers):
    """Delete the parts the answers turned off.

    A listed path that is missing (and not inside one removed already) means
    this list and the template have drifted apart: the bake stops rather
    than leave a part half removed.
    """
    removed = []
    for relative in paths_to_remove(answers):
        path = project_root / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.is_file():
            path.unlink()
        elif not any(path.is_relative_to(gone) for gone in removed):
            raise SystemExit(f"ERROR: the template has no {relative} to remove.")
        removed.append(path)


def write_env_file(project_root):
    """Copy .env.example to .env, swapping each placeholder for a fresh secret
    (and, with uploads, the storage directory's placeholder for this project's own)."""
    example = project_root / ".env.example"
    target = project_root / ".env"
    text = example.read_text(encoding="utf-8")
    placeholders = dict(SECRETS)
    if ANSWERS["use_uploads"]:
        placeholders[STORAGE_PLACEHOLDER] = lambda: (project_root / "instance" / "files").as_uri()
    for placeholder, make_value in placeholders.items():
        if placeholder not in text:
            raise SystemExit(f"ERROR: {example} has no {placeholder!r} placeholder to replace.")
        text = text.replace(placeholder, make_value())
    # Created private, so the secrets are never readable by others, even briefly.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_READ_WRITE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as env_file:
        env_file.write(text)
    target.chmod(OWNER_READ_WRITE)


def from_caller(path):
    """``path`` as the directory cookiecutter was started in saw it, if it is the template.

    Hooks run inside the new project, so a relative path given to cookiecutter
    is resolved against the caller's $PWD (which the shell keeps), and kept
    only if it holds a template.
    """
    resolved = Path(os.environ.get("PWD", "."), path).resolve()
    return resolved if (resolved / "cookiecutter.json").is_file() else None


def template_source(template):
    """The template as cruft can clone it: an absolute path, or a full git URL."""
    prefix, colon, rest = template.partition(":")
    if colon and prefix in ABBREVIATIONS:
        return ABBREVIATIONS[prefix].format(rest)
    if re.match(r"^[a-z][a-z0-9+.-]*://|^[\w.-]+@", template):
        return template
    local = from_caller(template)
    return str(local) if local else template


def template_commit(repo_dir):
    """The template's commit (None outside a git checkout, or without git)."""
    repo_dir = from_caller(repo_dir)
    if repo_dir is None:
        return None
    try:
        result = subprocess.run(
            ["git", "-C", repo_dir, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else None


def write_cruft_file(project_root, context):
    """Record the template, its commit and the answers where cruft reads them.

    ``cruft check`` then says whether the template has moved on, and
    ``cruft update`` re-renders both commits with these answers and applies
    the difference to the project (docs/upgrading.md). Only the answers are
    kept: cookiecutter's own keys (``_output_dir``...) describe this machine.
    """
    source = template_source(context["_template"])
    answers = {key: value for key, value in context.items() if not key.startswith("_")}
    commit = template_commit(context["_repo_dir"])
    state = {
        "template": source,
        "commit": commit,
        "checkout": context.get("_checkout"),
        "context": {"cookiecutter": {**answers, "_template": source, "_commit": commit}},
        "directory": None,
    }
    text = json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"
    (project_root / ".cruft.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    remove_parts(Path.cwd(), ANSWERS)
    write_env_file(Path.cwd())
    if "_repo_dir" in CONTEXT:
        write_cruft_file(Path.cwd(), CONTEXT)
