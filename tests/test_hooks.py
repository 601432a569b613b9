"""The hooks: bad answers stop the bake with one clear line; good ones go through.

Both hooks are Jinja templates (cookiecutter writes the answers into them
as literals), so they are tested the way users meet them: through bakes.
The post-generation hook's failure paths cannot be reached by a bake, so
they are also tested by rendering the hook with answers and loading it.
"""

import importlib.util
import json
import stat
import subprocess
import sys

import pytest
from cookiecutter.exceptions import FailedHookException
from jinja2 import Template

from helpers.baking import PROJECT_TEMPLATE_DIR, TEMPLATE_DIR, write_cookiecutter_config
from helpers.processes import describe

BAD_SLUGS = [
    "My-App",
    "1app",
    "app-",
    "a b",
    "UPPER",
    "trailing_",
    "_leading",
    "double__underscore",
    "dotted.name",
    "a" * 51,
]
GOOD_SLUGS = ["a", "app2", "my_app_2", "a" * 50]


def bake_lines(cookies, capfd, **answers):
    """Bake with ``answers``; return the result and the hook's ERROR lines."""
    result = cookies.bake(extra_context=answers, template=str(TEMPLATE_DIR))
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR")]
    return result, errors


def written_paths(tmp_path):
    """What a bake left inside the ``cookies`` fixture's (initially empty) output dirs."""
    return list((tmp_path / "cookies").glob("*/*"))


@pytest.mark.parametrize("slug", BAD_SLUGS)
def test_invalid_slug_stops_the_bake_with_one_line_naming_it(cookies, capfd, tmp_path, slug):
    result, errors = bake_lines(cookies, capfd, project_slug=slug)

    assert result.exit_code != 0
    assert isinstance(result.exception, FailedHookException)
    assert len(errors) == 1
    assert repr(slug) in errors[0]
    assert "project_slug" in errors[0]
    assert written_paths(tmp_path) == []


def test_slug_made_from_a_name_starting_with_a_digit_is_refused(cookies, capfd):
    result, errors = bake_lines(cookies, capfd, project_name="123 Go")

    assert result.exit_code != 0
    assert len(errors) == 1
    assert "'123_go'" in errors[0]


@pytest.mark.parametrize("slug", GOOD_SLUGS)
def test_valid_slug_is_accepted(cookies, capfd, slug):
    result, errors = bake_lines(cookies, capfd, project_slug=slug)

    assert result.exception is None
    assert result.project_path.name == slug
    assert errors == []


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ({"email": "nobody.example.com"}, "'nobody.example.com'"),
        ({"domain": "exa mple.com"}, "'exa mple.com'"),
        ({"domain": "https://example.com/"}, "'https://example.com/'"),
        ({"project_name": "   ", "project_slug": "app"}, "project_name"),
    ],
)
def test_other_invalid_answers_stop_the_bake_with_one_line(cookies, capfd, answers, named):
    result, errors = bake_lines(cookies, capfd, **answers)

    assert result.exit_code != 0
    assert len(errors) == 1
    assert named in errors[0]


def test_every_problem_is_reported_at_once(cookies, capfd):
    result, errors = bake_lines(cookies, capfd, project_slug="Bad-Slug", email="nobody")

    assert result.exit_code != 0
    assert len(errors) == 2
    assert any("'Bad-Slug'" in line for line in errors)
    assert any("'nobody'" in line for line in errors)


def test_command_line_reports_a_bad_slug_in_one_line(tmp_path):
    config_file, _ = write_cookiecutter_config(tmp_path / "user")
    output_dir = tmp_path / "output"

    result = subprocess.run(
        [
            *(sys.executable, "-m", "cookiecutter", "--no-input"),
            *("--config-file", str(config_file), "--output-dir", str(output_dir)),
            *(str(TEMPLATE_DIR), "project_slug=My-App"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0, describe(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, describe(result)
    assert "'My-App'" in errors[0]
    # The hook's own output (stderr) holds no traceback. cookiecutter itself
    # logs one for FailedHookException on stdout, which no hook can prevent.
    assert "Traceback" not in result.stderr
    assert not output_dir.exists() or list(output_dir.iterdir()) == []


def default_answers():
    """cookiecutter.json's answers, with the first choice of each list."""
    answers = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    return {key: value[0] if isinstance(value, list) else value for key, value in answers.items()}


def load_post_gen_hook(tmp_path, **answers):
    """Render hooks/post_gen_project.py with the default answers (and ``answers``), import it."""
    source = (TEMPLATE_DIR / "hooks" / "post_gen_project.py").read_text(encoding="utf-8")
    path = tmp_path / "post_gen_project.py"
    path.write_text(
        Template(source).render(cookiecutter={**default_answers(), **answers}), encoding="utf-8"
    )
    spec = importlib.util.spec_from_file_location("post_gen_project", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_post_gen_hook_refuses_an_example_without_its_placeholders(tmp_path):
    hook = load_post_gen_hook(tmp_path)
    (tmp_path / ".env.example").write_text("SECRET_KEY=\n", encoding="utf-8")

    with pytest.raises(SystemExit, match="change-me-to-a-long-random-string"):
        hook.write_env_file(tmp_path)
    assert not (tmp_path / ".env").exists()


def test_post_gen_hook_writes_a_private_env_with_fresh_secrets(tmp_path):
    hook = load_post_gen_hook(tmp_path)
    example = (
        "SECRET_KEY=change-me-to-a-long-random-string\n"
        "POSTGRES_PASSWORD=change-me-postgres-password\n"
        "REDIS_PASSWORD=change-me-redis-password\n"
        "STORAGE_URL=file:///path/to/this/project/instance/files\n"
    )
    (tmp_path / ".env.example").write_text(example, encoding="utf-8")

    hook.write_env_file(tmp_path)

    env = (tmp_path / ".env").read_text(encoding="utf-8")
    assert "change-me" not in env
    assert env.startswith("SECRET_KEY=")
    assert "\nPOSTGRES_PASSWORD=" in env
    assert "\nREDIS_PASSWORD=" in env
    assert f"\nSTORAGE_URL={(tmp_path / 'instance' / 'files').as_uri()}\n" in env
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


def test_without_uploads_the_env_has_no_storage_placeholder_to_fill(tmp_path):
    hook = load_post_gen_hook(tmp_path, use_uploads=False)
    example = (
        "SECRET_KEY=change-me-to-a-long-random-string\n"
        "POSTGRES_PASSWORD=change-me-postgres-password\n"
        "REDIS_PASSWORD=change-me-redis-password\n"
    )
    (tmp_path / ".env.example").write_text(example, encoding="utf-8")

    hook.write_env_file(tmp_path)

    assert "STORAGE_URL" not in (tmp_path / ".env").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"use_api": False}, {"use_api": False, "use_example_notes": True}),
        ({"use_example_notes": False}, {"use_api": True, "use_example_notes": False}),
        ({"use_benchmark": True}, {"use_benchmark": True}),
        ({"use_realtime": False}, {"use_realtime": False, "use_example_notes": True}),
        ({"use_uploads": False}, {"use_uploads": False, "use_example_notes": True}),
        ({"use_admin": False}, {"use_admin": False, "use_api": True}),
    ],
)
def test_post_gen_hook_is_given_the_answers(tmp_path, answers, expected):
    hook = load_post_gen_hook(tmp_path, **answers)

    assert hook.ANSWERS.items() >= expected.items()


def test_post_gen_hook_lists_only_paths_the_template_has(tmp_path):
    hook = load_post_gen_hook(tmp_path)

    missing = [
        relative
        for paths in hook.PART_PATHS.values()
        for relative in paths
        if not (PROJECT_TEMPLATE_DIR / relative).exists()
    ]
    assert missing == []


def test_post_gen_hook_stops_when_a_listed_path_is_missing(tmp_path):
    hook = load_post_gen_hook(tmp_path)
    project = tmp_path / "project"
    project.mkdir()

    with pytest.raises(SystemExit, match="has no app/api to remove"):
        hook.remove_parts(project, {**hook.ANSWERS, "use_api": False, "use_benchmark": True})


def test_post_gen_hook_removes_a_path_inside_one_already_removed_without_complaint(tmp_path):
    hook = load_post_gen_hook(tmp_path)
    project = tmp_path / "project"
    files = (
        "app/notes/api.py",
        "app/notes/attachments_api.py",
        "tests/notes/test_attachments_api.py",
        "app/notes/live.py",
        "tests/notes/test_notes_api.py",
        "app/api/x.py",
        "app/realtime/bearer.py",
        "tests/realtime/test_bearer.py",
        "tests/browser/test_live_notes_api.py",
        "tests/browser/test_live_notes.py",
        "tests/browser/test_notes_journey.py",
        "tests/browser/test_tokens_journey.py",
        "docs/api.md",
        "docs/live-updates.md",
        "tests/admin/test_api.py",
    )
    for relative in files:
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text("", encoding="utf-8")
    (project / "tests/api").mkdir()
    (project / "migrations/versions").mkdir(parents=True)
    for name in ("0002_create_api_tokens.py", "0003_create_notes.py", "0007_api_token_names.py"):
        (project / "migrations/versions" / name).write_text("", encoding="utf-8")

    answers = {
        **hook.ANSWERS,
        "use_api": False,
        "use_example_notes": False,
        "use_realtime": False,
        "use_benchmark": True,
    }
    hook.remove_parts(project, answers)

    assert sorted(path.name for path in project.rglob("*")) == [
        "admin",  # use_admin stays on: its tests without the API's
        "app",
        "browser",
        "docs",
        "migrations",
        "tests",
        "versions",
    ]


def test_live_updates_without_the_notes_stop_the_bake_with_one_line(cookies, capfd, tmp_path):
    result, errors = bake_lines(cookies, capfd, use_example_notes=False, use_realtime=True)

    assert result.exit_code != 0
    assert isinstance(result.exception, FailedHookException)
    assert len(errors) == 1
    assert "use_realtime" in errors[0]
    assert "use_example_notes" in errors[0]
    assert written_paths(tmp_path) == []


@pytest.mark.parametrize(
    "answers",
    [
        {"use_realtime": False},
        {"use_realtime": False, "use_example_notes": False},
        {"use_realtime": True, "use_example_notes": True, "use_api": False},
    ],
)
def test_live_updates_with_the_notes_or_off_are_accepted(cookies, capfd, answers):
    result, errors = bake_lines(cookies, capfd, **answers)

    assert result.exception is None
    assert errors == []
