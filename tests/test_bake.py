"""Baking: every answer set renders a clean, lint-free project with its own secrets."""

import ast
import json
import pathlib
import re
import stat
import subprocess
import sys
import tomllib

import pytest

from helpers.baking import (
    PROJECT_TEMPLATE_DIR,
    TEMPLATE_DIR,
    read_env_file,
    text_files,
    write_cookiecutter_config,
)
from helpers.processes import describe, project_env, run

TOP_LEVEL = [
    "app",
    "migrations",
    "tests",
    "config.py",
    "manage.py",
    "Dockerfile",
    "docker-compose.yml",
    "README.md",
    "pyproject.toml",
    ".env.example",
]
# Text that only an unrendered (or wrongly copied) template file would hold:
# Jinja delimiters, or any mention of the template engine itself.
UNRENDERED = re.compile(r"\{\{|\{%|cookiecutter", re.IGNORECASE)
# GitHub Actions' own expressions, written through {% raw %} in the workflow.
GITHUB_EXPRESSION = re.compile(r"\$\{\{ [\w.-]+ \}\}")
# cruft's record of the bake: its format names cookiecutter's context.
RECORD_OF_THE_BAKE = ".cruft.json"
SECRET_KEY_PLACEHOLDER = "change-me-to-a-long-random-string"
POSTGRES_PASSWORD_PLACEHOLDER = "change-me-postgres-password"
REDIS_PASSWORD_PLACEHOLDER = "change-me-redis-password"
# Each secret in .env and the .env.example placeholder it replaces.
PLACEHOLDERS = {
    "SECRET_KEY": SECRET_KEY_PLACEHOLDER,
    "POSTGRES_PASSWORD": POSTGRES_PASSWORD_PLACEHOLDER,
    "REDIS_PASSWORD": REDIS_PASSWORD_PLACEHOLDER,
    "STORAGE_URL": "file:///path/to/this/project/instance/files",
}


def test_default_answers_bake_without_input(cookies):
    result = cookies.bake(template=str(TEMPLATE_DIR))

    assert result.exception is None
    assert result.exit_code == 0
    assert result.project_path.name == "flask_forge_app"
    assert (result.project_path / "app" / "__init__.py").is_file()


def test_cookiecutter_command_bakes_without_input(tmp_path):
    config_file, _ = write_cookiecutter_config(tmp_path / "user")
    output_dir = tmp_path / "output"

    result = subprocess.run(
        [
            *(sys.executable, "-m", "cookiecutter", "--no-input"),
            *("--config-file", str(config_file), "--output-dir", str(output_dir)),
            str(TEMPLATE_DIR),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, describe(result)
    assert [path.name for path in output_dir.iterdir()] == ["flask_forge_app"]


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_project_top_level_holds(default_bake, name):
    assert (default_bake.path / name).exists()


def test_project_directory_is_named_by_the_slug(answer_set):
    assert answer_set.bake.path.name == answer_set.slug
    assert answer_set.bake.context["project_slug"] == answer_set.slug


def is_copied_verbatim(relative):
    """The app's Jinja templates (its own and its parts') and vendored files are never rendered."""
    parts = relative.parts
    return (
        parts[:2] == ("app", "templates")
        or (len(parts) > 2 and parts[0] == "app" and parts[2] == "templates")
        or parts[:4] == ("app", "api", "static", "vendor")
        or parts[:3] == ("tests", "browser", "vendor")
    )


def template_dirs(root):
    """The app's template folders: ``app/templates`` and each part's ``app/<part>/templates``."""
    return sorted([root / "app" / "templates", *root.glob("app/*/templates")])


def outside_html_examples(relative, text):
    """The lines of ``text``, those of a Markdown page's ```html blocks blanked.

    Those blocks show the app's Jinja templates (docs/first-feature.md writes
    one), so their ``{%`` is meant for the app's Jinja, not left by ours.
    """
    lines, in_example = [], False
    for line in text.splitlines():
        if relative.suffix == ".md" and line.startswith("```"):
            in_example = line.strip() == "```html"
            lines.append(line)
            continue
        lines.append("" if in_example else line)
    return lines


def test_nothing_outside_app_templates_is_left_unrendered(answer_set):
    root = answer_set.bake.path
    offenders = []
    for path, text in text_files(root):
        relative = path.relative_to(root)
        if UNRENDERED.search(str(relative)):
            offenders.append(f"{relative} (file name)")
        if is_copied_verbatim(relative) or text is None or str(relative) == RECORD_OF_THE_BAKE:
            continue
        offenders += [
            f"{relative}:{number}: {line.strip()}"
            for number, line in enumerate(outside_html_examples(relative, text), start=1)
            if UNRENDERED.search(GITHUB_EXPRESSION.sub("", line))
        ]

    assert offenders == []


def test_app_templates_are_copied_verbatim(default_bake):
    def contents(project_root):
        return {
            path.relative_to(project_root): path.read_bytes()
            for directory in template_dirs(project_root)
            for path in directory.rglob("*")
            if path.is_file()
        }

    baked = contents(default_bake.path)

    assert baked == contents(PROJECT_TEMPLATE_DIR)
    # The comparison means something only if the templates hold Jinja, in every folder.
    assert any(b"{% extends" in data for data in baked.values())
    assert len(template_dirs(default_bake.path)) >= 3


def test_vendored_files_are_copied_verbatim(default_bake):
    vendor = pathlib.Path("app", "api", "static", "vendor", "swagger-ui", "swagger-ui-bundle.js")
    baked = (default_bake.path / vendor).read_bytes()

    assert baked == (PROJECT_TEMPLATE_DIR / vendor).read_bytes()
    # Swagger UI's bundle holds "{{" that cookiecutter would otherwise try to render.
    assert b"{{" in baked


def test_bake_passes_ruff_check(answer_set):
    result = run(answer_set.bake.path, "-m", "ruff", "check", "--no-cache", ".", env=project_env())

    assert result.returncode == 0, describe(result)


def test_bake_is_ruff_formatted(answer_set):
    result = run(
        answer_set.bake.path,
        "-m",
        "ruff",
        "format",
        "--no-cache",
        "--check",
        ".",
        env=project_env(),
    )

    assert result.returncode == 0, describe(result)


def app_name(config_source):
    """The literal assigned to ``APP_NAME`` in config.py's source (annotated or not)."""
    for node in ast.walk(ast.parse(config_source)):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == "APP_NAME" for target in targets):
            return ast.literal_eval(node.value)
    raise AssertionError("config.py assigns no APP_NAME")


def test_config_names_the_app_after_the_project(answer_set):
    source = (answer_set.bake.path / "config.py").read_text(encoding="utf-8")

    assert app_name(source) == answer_set.bake.context["project_name"]


def test_pyproject_describes_the_project(answer_set):
    context = answer_set.bake.context
    with (answer_set.bake.path / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]

    assert project["name"] == answer_set.slug
    assert project["description"] == context["description"]
    assert project["authors"] == [{"name": context["author_name"], "email": context["email"]}]


def test_dockerfile_uses_the_chosen_python_version(answer_set):
    version = answer_set.bake.context["python_version"]
    dockerfile = (answer_set.bake.path / "Dockerfile").read_text(encoding="utf-8")

    assert version in dockerfile


def test_env_file_is_readable_by_its_owner_only(default_bake):
    mode = stat.S_IMODE((default_bake.path / ".env").stat().st_mode)

    assert mode == 0o600


def test_env_file_is_env_example_with_fresh_secrets(default_bake):
    values = read_env_file(default_bake.path / ".env")
    example = (default_bake.path / ".env.example").read_text(encoding="utf-8")

    expected = example
    for name, placeholder in PLACEHOLDERS.items():
        expected = expected.replace(placeholder, values[name])
    assert (default_bake.path / ".env").read_text(encoding="utf-8") == expected


def test_secret_key_is_long_and_not_the_placeholder(default_bake):
    secret_key = read_env_file(default_bake.path / ".env")["SECRET_KEY"]

    assert len(secret_key) >= 32
    assert "change-me" not in secret_key


@pytest.mark.parametrize("name", ["POSTGRES_PASSWORD", "REDIS_PASSWORD"])
def test_service_password_is_not_the_placeholder(default_bake, name):
    password = read_env_file(default_bake.path / ".env")[name]

    assert len(password) >= 16
    assert "change-me" not in password
    # It goes into DATABASE_URL / REDIS_URL unescaped.
    assert re.fullmatch(r"[A-Za-z0-9_-]+", password)


def test_each_bake_gets_its_own_secrets(default_bake, another_default_bake):
    first = read_env_file(default_bake.path / ".env")
    second = read_env_file(another_default_bake.path / ".env")

    for name in PLACEHOLDERS:
        assert first[name] != second[name], name


def test_secrets_are_written_to_env_only(default_bake):
    values = read_env_file(default_bake.path / ".env")
    secrets = [values[name].encode() for name in PLACEHOLDERS]
    replay_files = [path for path in default_bake.replay_dir.rglob("*") if path.is_file()]
    project_files = [
        path
        for path in default_bake.path.rglob("*")
        if path.is_file() and path != default_bake.path / ".env"
    ]

    assert replay_files, "cookiecutter wrote no replay file to inspect"
    leaks = [
        str(path)
        for path in replay_files + project_files
        if any(secret in path.read_bytes() for secret in secrets)
    ]
    assert leaks == []
    context = json.dumps(default_bake.context).encode()
    assert not any(secret in context for secret in secrets)


def test_env_file_is_ignored_by_git(default_bake):
    ignored = (default_bake.path / ".gitignore").read_text(encoding="utf-8").splitlines()

    assert ".env" in ignored
    assert ".env.example" not in ignored
