"""Answers that remove parts: a part that is off leaves nothing behind.

Each answer set in ``conftest.ANSWER_SETS`` is baked once; here each bake is
searched for every trace of the parts its answers turned off (files,
imports, settings, dependencies, routes, migrations, tests, README
sections), its migrations must form one line, and mypy and the import
layers (import-linter) must pass on it.
"""

import ast
import re
import tomllib

import pytest

from helpers.baking import text_files
from helpers.processes import describe, project_env, run

# What each part leaves in a bake, as patterns nothing else may contain.
PART_TRACES = {
    "use_api": re.compile(
        r"/api\b|app\.api\b|app/api\b|ApiToken|api_tokens|API_TOKEN|schemathesis|swagger|openapi"
        r"|WWWAuthenticate\(\s*\"bearer\"|bearer_headers|\btoken_id\b",
        re.IGNORECASE,
    ),
    "use_example_notes": re.compile(
        r"app\.notes|app/notes|tests/notes|/notes\b|\bNotes?\b(?! that)|\bnotes_|notes?\.css"
        r"|\bnote_id\b",
    ),
    "use_realtime": re.compile(
        r"realtime|websocket|wsproto|\bgthread\b|/ws\b|notes?[-_]live|live_panel|app\.notes\.live"
        r"|notes/live|publish\(",
        re.IGNORECASE,
    ),
    "use_uploads": re.compile(
        r"app\.files|app/files|tests/files|STORAGE_URL|S3_ENDPOINT|UPLOAD_|AVATAR_|stored_files"
        r"|note_attachments|\battachments?_|/attachments\b|\bAttachment\w*|\bboto3?\b|moto_server"
        r"|moto\[server\]|storage_(?:s3|local)|docs/files\.md|\bs3://|account_deleting"
        r"|[Aa]vatar|\bPIL\b|[Pp]illow",
    ),
    "use_admin": re.compile(
        r"app\.admin|app/admin|tests/admin|/admin\b|is_admin|disabled_at|audit_events|AuditEvent"
        r"|\broles\b|require_role|--admin|0005_roles|administration"
        r"|\badministrators?\b(?! command)",
        re.IGNORECASE,
    ),
    "use_benchmark": re.compile(r"\bbench\b|pyinstrument|bare_app|wrk\b", re.IGNORECASE),
}
# What the code's comments and docstrings say of a part, searched in every
# file but README.md, whose prose names the parts a bake was made without,
# and vendored files (minified code that is not ours).
PROSE_TRACES = {
    "use_api": re.compile(r"\bthe API\b|\bAPI's\b|\bAPI (?:alike|call|documents)\b"),
    "use_example_notes": re.compile(r"\bnotes\b"),
}
# Traces of code that only parts use: present while any of them is on.
SHARED_TRACES = {
    ("use_api", "use_realtime"): re.compile(r"authenticates_itself"),
}
# The generated README stays a page: the rest is in docs/, one page per topic.
README_MAX_LINES = 250
# Paths each part owns, relative to the project root.
PART_PATHS = {
    "use_api": [
        "app/api",
        "tests/api",
        "migrations/versions/0002_create_api_tokens.py",
        "migrations/versions/0007_api_token_names.py",
        "docs/api.md",
    ],
    "use_example_notes": ["app/notes", "tests/notes", "migrations/versions/0003_create_notes.py"],
    "use_realtime": [
        "app/realtime",
        "tests/realtime",
        "app/notes/live.py",
        "app/notes/static/notes-live.js",
        "tests/browser/test_live_notes.py",
        "docs/live-updates.md",
    ],
    "use_uploads": [
        "app/files",
        "app/infrastructure/storage.py",
        "app/infrastructure/storage_s3.py",
        "tests/files",
        "migrations/versions/0006_files.py",
        "docs/files.md",
        "docker-compose.s3.yml",
        "app/account/avatar.py",
        "tests/test_avatar.py",
    ],
    "use_admin": [
        "app/admin",
        "app/auth/roles.py",
        "app/auth/audit.py",
        "tests/admin",
        "migrations/versions/0005_roles.py",
        "docs/administration.md",
    ],
    "use_benchmark": ["bench", "tests/bench", "docs/benchmark.md"],
}
# Files written after the bake, or by tools, that say nothing about the code.
# Not scanned for a part's words: .env (secrets), .cruft.json (the record of
# every answer, "use_api": false included) and uv.lock (third-party package
# names, such as moto's openapi-spec-validator; which packages each part
# brings is checked on the lock itself, below).
IGNORED = {".env", ".cruft.json", "uv.lock"}
# Vendored files in every bake, whatever the answers: code that is not ours, whose
# words ("roles" for ARIA roles, in axe-core) are no trace of a part.
ALWAYS_VENDORED = ("tests", "browser", "vendor")


def answer(answer_set, name):
    """The answer ``name`` was baked with (cookiecutter's replay file keeps it)."""
    return answer_set.bake.context[name]


def parts_off(answer_set):
    """The names of the answers this bake turned off."""
    return [name for name in PART_TRACES if not answer(answer_set, name)]


def test_every_answer_has_a_default_that_bakes_without_input(default_bake):
    defaults = {name: default_bake.context[name] for name in PART_TRACES}

    assert defaults == {
        "use_api": True,
        "use_example_notes": True,
        "use_realtime": True,
        "use_uploads": True,
        "use_admin": True,
        "use_benchmark": False,
    }


def test_a_part_that_is_off_leaves_no_file(answer_set):
    leftovers = [
        relative
        for name in parts_off(answer_set)
        for relative in PART_PATHS[name]
        if (answer_set.bake.path / relative).exists()
    ]

    assert leftovers == []


def test_a_part_that_is_on_is_there(answer_set):
    missing = [
        relative
        for name, paths in PART_PATHS.items()
        if answer(answer_set, name)
        for relative in paths
        if not (answer_set.bake.path / relative).exists()
    ]

    assert missing == []


def trace_patterns(answer_set):
    """``(what, pattern, searches_the_readme)`` for each trace this bake must not hold."""
    off = parts_off(answer_set)
    for name in off:
        yield name, PART_TRACES[name], True
        if name in PROSE_TRACES:
            yield name, PROSE_TRACES[name], False
    for names, pattern in SHARED_TRACES.items():
        if set(names) <= set(off):
            yield " and ".join(names), pattern, True


def test_a_part_that_is_off_leaves_no_trace_in_any_file(answer_set):
    root = answer_set.bake.path
    traces = []
    for name, pattern, in_readme in trace_patterns(answer_set):
        for path, text in text_files(root):
            relative = path.relative_to(root)
            if text is None or str(relative) in IGNORED:
                continue
            if relative.parts[:3] == ALWAYS_VENDORED:
                continue
            if not in_readme and (relative.name == "README.md" or "vendor" in relative.parts):
                continue
            traces += [
                f"{name}: {relative}:{number}: {line.strip()}"
                for number, line in enumerate(text.splitlines(), start=1)
                if pattern.search(line)
            ]

    assert traces == []


def test_the_readme_is_short_and_points_to_every_docs_page(answer_set):
    root = answer_set.bake.path
    readme = (root / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"`(docs/[\w-]+\.md)`", readme))
    pages = {f"docs/{page.name}" for page in (root / "docs").glob("*.md")}

    assert len(readme.splitlines()) <= README_MAX_LINES
    assert linked == pages


def test_no_empty_directory_is_left(answer_set):
    root = answer_set.bake.path
    empty = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_dir() and not any(path.iterdir())
    ]

    assert empty == []


def dev_dependencies(project_root):
    with (project_root / "pyproject.toml").open("rb") as file:
        extras = tomllib.load(file)["project"]["optional-dependencies"]["dev"]
    return {re.split(r"[<>=\[ ]", requirement, maxsplit=1)[0].lower() for requirement in extras}


def test_dev_dependencies_follow_the_parts(answer_set):
    dev = dev_dependencies(answer_set.bake.path)

    assert ("schemathesis" in dev) == answer(answer_set, "use_api")
    assert ("moto" in dev) == answer(answer_set, "use_uploads")
    assert ("pyinstrument" in dev) == answer(answer_set, "use_benchmark")
    assert {"pytest", "ruff", "mypy", "playwright"} <= dev


def runtime_dependencies(project_root):
    with (project_root / "pyproject.toml").open("rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    return {
        re.split(r"[<>=\[ ]", requirement, maxsplit=1)[0].lower() for requirement in dependencies
    }


def locked_packages(project_root):
    """The names of the packages a bake's uv.lock pins."""
    with (project_root / "uv.lock").open("rb") as file:
        return {package["name"] for package in tomllib.load(file)["package"]}


def test_runtime_dependencies_follow_the_parts(answer_set):
    runtime = runtime_dependencies(answer_set.bake.path)
    locked = locked_packages(answer_set.bake.path)

    assert ("simple-websocket" in runtime) == answer(answer_set, "use_realtime")
    assert ("boto3" in runtime) == answer(answer_set, "use_uploads")
    assert ("boto3" in locked) == answer(answer_set, "use_uploads")
    assert ("pillow" in locked) == answer(answer_set, "use_uploads")
    assert ("moto" in locked) == answer(answer_set, "use_uploads")
    assert ("simple-websocket" in locked) == answer(answer_set, "use_realtime")
    assert ("wsproto" in locked) == answer(answer_set, "use_realtime")
    assert ("schemathesis" in locked) == answer(answer_set, "use_api")
    assert ("pyinstrument" in locked) == answer(answer_set, "use_benchmark")


def migration_links(project_root):
    """``{revision: down_revision}`` read from each migration file's assignments."""
    links = {}
    for path in sorted((project_root / "migrations" / "versions").glob("*.py")):
        values = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                values[node.targets[0].id] = node.value
        links[ast.literal_eval(values["revision"])] = ast.literal_eval(values["down_revision"])
    return links


def test_migrations_form_one_line_from_the_first(answer_set):
    links = migration_links(answer_set.bake.path)

    roots = [revision for revision, down in links.items() if down is None]
    heads = set(links) - set(links.values())
    assert roots == ["0001"]
    assert len(heads) == 1, links
    assert all(down is None or down in links for down in links.values()), links
    # One line: walking down from the head meets every migration once.
    walked, revision = [], heads.pop()
    while revision is not None:
        walked.append(revision)
        revision = links[revision]
    assert sorted(walked) == sorted(links)


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory):
    """One mypy cache for every bake, outside them (the bakes must stay as baked):
    the libraries' types are read once; each bake's own modules are checked anew."""
    return tmp_path_factory.mktemp("mypy-cache")


def test_mypy_finds_no_error(parts_answer_set, mypy_cache):
    result = run(
        parts_answer_set.bake.path,
        *("-m", "mypy", "--cache-dir", str(mypy_cache), "--no-error-summary"),
        env=project_env(),
        timeout=600,
    )

    assert result.returncode == 0, describe(result)


def test_the_import_layers_hold(parts_answer_set):
    # The bake's own contracts (pyproject.toml, `make lint`); no cache: the bake stays as baked.
    result = run(
        parts_answer_set.bake.path,
        *("-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"),
        "--no-cache",
        env=project_env(),
    )

    assert result.returncode == 0, describe(result)
    assert "2 kept, 0 broken" in result.stdout, describe(result)


@pytest.fixture(scope="module")
def everything_bake(bake_into):
    """A bake with every part on (read only)."""
    return bake_into(
        "everything",
        use_api=True,
        use_example_notes=True,
        use_realtime=True,
        use_admin=True,
        use_benchmark=True,
    )


@pytest.mark.parametrize("name", list(PART_TRACES))
def test_the_trace_patterns_find_their_part_in_a_bake_that_has_it(everything_bake, name):
    """The searches above mean something only if they find each part where it is on."""
    found = [
        path
        for path, text in text_files(everything_bake.path)
        if text is not None and PART_TRACES[name].search(text)
    ]

    assert len(found) > 3


@pytest.mark.parametrize(
    "pattern",
    [*PROSE_TRACES.values(), *SHARED_TRACES.values()],
    ids=[*PROSE_TRACES, *(" and ".join(names) for names in SHARED_TRACES)],
)
def test_the_prose_and_shared_patterns_find_something_where_the_parts_are_on(
    everything_bake, pattern
):
    found = [
        path
        for path, text in text_files(everything_bake.path)
        if text is not None
        and path.name != "README.md"
        and "vendor" not in path.parts
        and pattern.search(text)
    ]

    assert len(found) >= 2
