"""Containers and delivery: the Dockerfile, compose files, CI workflow and boot commands.

Everything here runs without a Docker engine: hadolint reads the Dockerfile,
``docker-compose config`` (Compose v2 from PyPI) validates and resolves the
compose files, and the boot test runs the image's own start and migrate
commands outside a container, from a directory holding only what the
Dockerfile copies, against the PostgreSQL and Redis given in
``TEST_DATABASE_URL`` / ``TEST_REDIS_URL``. Building the image and
``docker compose up`` need an engine; ``.ci/run`` does them when one answers
and says plainly when none does.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest
import yaml

from helpers.baking import TEMPLATE_DIR, read_env_file
from helpers.dockerfile import named_stage, stage_commands, stage_environment, stages
from helpers.processes import (
    describe,
    free_port,
    project_env,
    run,
    run_command,
    stop_server,
    wait_for_http,
)
from helpers.services import fresh_postgres_database, given_database_url, given_redis_url
from helpers.tools import run_tool, tool

COMPOSE_FILE_SETS = {
    "default": ["docker-compose.yml"],
    "development": ["docker-compose.yml", "docker-compose.dev.yml"],
    "proxy": ["docker-compose.yml", "docker-compose.proxy.yml"],
}
# What must never reach the image's build context.
NEVER_IN_CONTEXT = {".env", ".git", ".venv", "venv", "instance", "tests", ".github"}
FULL_SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
INTERPOLATION = re.compile(r"\$\{(\w+)(:?[-?])?")


# --- reading the Dockerfile ---------------------------------------------------


def runtime_stage(project):
    """The final stage: what the image runs."""
    return stages(project / "Dockerfile")[-1]


def exec_form(stage, keyword):
    """The JSON (exec form) arguments of the stage's last ``keyword`` instruction."""
    (arguments,) = [arguments for key, arguments in stage if key == keyword][-1:]
    command = json.loads(arguments)
    assert isinstance(command, list), f"{keyword} must use the exec form: {arguments}"
    return command


def context_copies(stage):
    """``(sources, destination)`` of each COPY from the build context (not ``--from``)."""
    copies = []
    for keyword, arguments in stage:
        if keyword != "COPY":
            continue
        words = shlex.split(arguments)
        if any(word.startswith("--from") for word in words):
            continue
        *sources, destination = [word for word in words if not word.startswith("--")]
        copies.append((sources, destination))
    return copies


def dockerignore_allowlist(project):
    """The names a ``*``-first .dockerignore lets back in with ``!name``."""
    lines = [
        line.strip()
        for line in (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[0] == "*", ".dockerignore should exclude everything first, then allow"
    return {line[1:].rstrip("/") for line in lines if line.startswith("!")}


# --- compose ------------------------------------------------------------------


def compose(project, files, *args, env=None):
    """Run ``docker-compose -f ... <args>`` in ``project`` (no engine needed for config)."""
    file_args = [argument for name in files for argument in ("-f", name)]
    return run_tool(
        "docker-compose", *file_args, *args, cwd=project, env=env or project_env(DOMAIN=None)
    )


def resolved_compose(project, files=("docker-compose.yml",)):
    """The compose model after interpolation with the project's .env, as a dict."""
    result = compose(project, files, "config", "--format", "json")
    assert result.returncode == 0, describe(result)
    return json.loads(result.stdout)


# --- static checks --------------------------------------------------------------


def test_dockerfile_passes_hadolint_without_any_warning(answer_set):
    result = run_tool(
        "hadolint", "--failure-threshold", "style", "Dockerfile", cwd=answer_set.bake.path
    )

    assert result.returncode == 0, describe(result)


def test_the_builder_installs_offline_from_make_wheelhouse(bake_into, tmp_path):
    """`make wheelhouse` (needs the package index), then the builder's commands with no index
    and an empty uv cache: the image builds without network from the wheelhouse alone."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"  # the wheels must fit this one
    project = bake_into("wheelhouse", python_version=python).path
    uv_bin = str(Path(tool("uv")).parent)
    env = project_env(PATH=os.pathsep.join([uv_bin, os.environ["PATH"]]))
    download = run_command(project, ["make", "wheelhouse"], env=env, timeout=600)
    assert download.returncode == 0, describe(download)
    moved = {"/tmp/": f"{tmp_path}/", "/opt/venv": tmp_path / "venv"}
    moved["/wheelhouse"] = project / "wheelhouse"
    commands, environment = stage_commands(project / "Dockerfile", ["builder"], moved)
    offline = {**env, **environment, "UV_CACHE_DIR": str(tmp_path / "empty-cache")}

    for command in commands:
        result = run_command(project, ["sh", "-ec", command], env=offline, timeout=600)
        assert result.returncode == 0, describe(result)
    imports = "import app, flask, gunicorn, psycopg, boto3, PIL"
    check = run_command(
        project, [str(tmp_path / "venv" / "bin" / "python"), "-c", imports], env=env
    )
    assert check.returncode == 0, describe(check)
    assert not (tmp_path / "venv" / "bin" / "pytest").exists()  # no dev tools in the image


def test_python_stages_use_the_chosen_slim_python_and_uv_its_pinned_image(answer_set):
    version = answer_set.bake.context["python_version"]
    uv_version = answer_set.bake.context["_uv_version"]
    images = [stage[0][1].split()[0] for stage in stages(answer_set.bake.path / "Dockerfile")]

    assert images[0] == f"ghcr.io/astral-sh/uv:{uv_version}"
    for image in images[1:]:
        assert image in (f"python:{version}-slim", "builder"), image
    assert images[-1] == f"python:{version}-slim"


def test_the_image_installs_the_locked_runtime_set_and_no_dev_tools(default_bake):
    builder = named_stage(default_bake.path / "Dockerfile", "builder")
    runtime = runtime_stage(default_bake.path)
    builder_runs = " ".join(arguments for keyword, arguments in builder if keyword == "RUN")

    assert (["pyproject.toml", "uv.lock"], "./") in context_copies(builder)
    assert "uv export --locked --no-dev --no-emit-project" in builder_runs
    assert "--require-hashes --only-binary :all:" in builder_runs
    assert "--extra" not in builder_runs
    assert not any(keyword == "RUN" and "install" in args for keyword, args in runtime)
    assert any(keyword == "COPY" and args.startswith("--from=builder") for keyword, args in runtime)


def test_the_dev_stage_adds_the_locked_dev_tools_and_runs_pytest(default_bake):
    dev = named_stage(default_bake.path / "Dockerfile", "dev")
    dev_runs = " ".join(arguments for keyword, arguments in dev if keyword == "RUN")

    assert dev[0][1].split()[0] == "builder"
    assert "uv export --locked --extra dev --no-emit-project" in dev_runs
    assert exec_form(dev, "CMD") == ["pytest"]


def test_runtime_runs_as_a_non_root_user_with_a_healthcheck(default_bake):
    runtime = runtime_stage(default_bake.path)
    (user,) = [arguments for keyword, arguments in runtime if keyword == "USER"]
    healthcheck = [arguments for keyword, arguments in runtime if keyword == "HEALTHCHECK"]
    environment = stage_environment(runtime)

    assert user.split(":")[0] not in ("root", "0")
    assert len(healthcheck) == 1
    assert "/health" in healthcheck[0]
    assert environment["PYTHONDONTWRITEBYTECODE"] == "1"
    assert environment["PYTHONUNBUFFERED"] == "1"
    assert environment["FLASK_CONFIG"] == "production"
    assert environment["GUNICORN_HOST"] == "0.0.0.0"
    assert any(keyword == "RUN" and "compileall" in args for keyword, args in runtime)
    assert not any(
        keyword == "RUN" and re.search(r"apt-get|apk add|gcc|build-essential", args)
        for keyword, args in runtime
    )


def test_everything_the_image_copies_exists_and_nothing_secret_can(default_bake):
    allowed = dockerignore_allowlist(default_bake.path)
    sources = [
        source
        for stage in stages(default_bake.path / "Dockerfile")
        for sources, _ in context_copies(stage)
        for source in sources
    ]

    assert sources
    for source in sources:
        assert source.rstrip("/*") in allowed, f"{source} is not in .dockerignore's allowlist"
        if "*" not in source:  # a wildcard may match nothing (wheelhouse*)
            assert (default_bake.path / source).exists(), source
    assert allowed & NEVER_IN_CONTEXT == set()


@pytest.mark.parametrize("file_set", COMPOSE_FILE_SETS)
def test_compose_files_are_valid(default_bake, file_set):
    env = project_env(DOMAIN="app.example.com")

    result = compose(default_bake.path, COMPOSE_FILE_SETS[file_set], "config", "-q", env=env)

    assert result.returncode == 0, describe(result)


def test_compose_refuses_to_start_without_the_secrets(bake_into):
    project = bake_into("compose-without-env").path
    (project / ".env").unlink()

    result = compose(project, COMPOSE_FILE_SETS["default"], "config", "-q")

    assert result.returncode != 0
    assert "set SECRET_KEY in .env" in result.stderr or "POSTGRES_PASSWORD" in result.stderr, (
        describe(result)
    )


def test_only_web_publishes_a_port_and_only_on_this_machine(default_bake):
    services = resolved_compose(default_bake.path)["services"]

    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {"web"}
    (port,) = services["web"]["ports"]
    assert (port["host_ip"], str(port["published"]), port["target"]) == ("127.0.0.1", "8000", 8000)


def test_web_waits_for_the_migration_and_healthy_services(default_bake):
    services = resolved_compose(default_bake.path)["services"]
    depends_on = services["web"]["depends_on"]

    assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["flask", "db", "upgrade"]
    assert services["db"]["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["image"].startswith("redis:")
    assert services["redis"]["healthcheck"]["test"]
    assert any(volume["type"] == "volume" for volume in services["db"]["volumes"])


def seconds(duration):
    """A compose duration ("45s", "1m30s") in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s)", duration)
    assert "".join(number + unit for number, unit in parts) == duration, duration
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(number) * scale[unit] for number, unit in parts)


def test_a_worker_runs_the_jobs_beside_web_from_the_same_image(default_bake):
    services = resolved_compose(default_bake.path)["services"]
    worker, web = services["worker"], services["web"]

    assert worker["command"] == ["flask", "worker"]
    assert worker["image"] == web["image"]
    assert worker["environment"] == web["environment"]
    assert worker["depends_on"] == web["depends_on"]
    assert not worker.get("ports")
    # The image's check asks /health over HTTP, which a worker does not serve.
    assert worker["healthcheck"]["disable"] is True
    # SIGTERM lets the running job finish: longer than the job timeout (30 s).
    assert seconds(worker["stop_grace_period"]) > 30
    assert worker["restart"] == "unless-stopped"


def test_production_compose_needs_a_mail_url(bake_into):
    project = bake_into("compose-without-mail").path
    env_file = project / ".env"
    env_file.write_text(
        "\n".join(
            line
            for line in env_file.read_text(encoding="utf-8").splitlines()
            if not line.startswith("MAIL_URL=")
        )
    )

    result = compose(project, COMPOSE_FILE_SETS["default"], "config", "-q")

    assert result.returncode != 0
    assert "set MAIL_URL in .env" in result.stderr, describe(result)


def test_development_compose_catches_mail_in_mailpit(default_bake):
    services = resolved_compose(default_bake.path, COMPOSE_FILE_SETS["development"])["services"]
    mailpit = services["mailpit"]

    assert re.fullmatch(r"axllent/mailpit:v\d+\.\d+\.\d+", mailpit["image"])
    (port,) = mailpit["ports"]
    assert (port["host_ip"], port["target"]) == ("127.0.0.1", 8025)  # the web page, here only
    for name in ("web", "worker"):
        assert services[name]["environment"]["MAIL_URL"] == "smtp://mailpit:1025"
        assert services[name]["environment"]["FLASK_CONFIG"] == "development"


def test_development_compose_runs_the_dev_stage_and_tests_on_databases_of_their_own(default_bake):
    services = resolved_compose(default_bake.path, COMPOSE_FILE_SETS["development"])["services"]
    values = read_env_file(default_bake.path / ".env")
    environment = services["web"]["environment"]

    for name in ("web", "worker", "migrate"):
        assert services[name]["build"]["target"] == "dev", name
        assert services[name]["image"].endswith(":dev"), name
    # `run --rm web pytest`: never the app's own database or Redis database.
    assert environment["TEST_DATABASE_URL"] == (
        f"postgresql://app:{values['POSTGRES_PASSWORD']}@db:5432/app_test"
    )
    assert environment["TEST_REDIS_URL"] == f"redis://:{values['REDIS_PASSWORD']}@redis:6379/8"
    assert environment["DATABASE_URL"].rsplit("/", 1)[1] == "app"


def test_behind_the_proxy_mail_links_point_at_the_public_site(default_bake):
    env = project_env(DOMAIN="app.example.com")
    result = compose(
        default_bake.path, COMPOSE_FILE_SETS["proxy"], "config", "--format", "json", env=env
    )
    assert result.returncode == 0, describe(result)
    services = json.loads(result.stdout)["services"]
    for name in ("web", "worker"):
        assert services[name]["environment"]["PUBLIC_URL"] == "https://app.example.com"


def test_compose_connects_the_app_with_the_passwords_from_env(default_bake):
    values = read_env_file(default_bake.path / ".env")
    environment = resolved_compose(default_bake.path)["services"]["web"]["environment"]

    assert environment["SECRET_KEY"] == values["SECRET_KEY"]
    assert f":{values['POSTGRES_PASSWORD']}@db:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == f"redis://:{values['REDIS_PASSWORD']}@redis:6379/0"


def test_every_compose_variable_is_in_env_example(default_bake):
    example = (default_bake.path / ".env.example").read_text(encoding="utf-8")
    described = set(re.findall(r"^#?\s*(\w+)=", example, re.MULTILINE))
    set_by_default = set(re.findall(r"^(\w+)=", example, re.MULTILINE))
    required, used = set(), set()
    for path in default_bake.path.glob("docker-compose*.yml"):
        for name, operator in INTERPOLATION.findall(path.read_text(encoding="utf-8")):
            used.add(name)
            if operator == ":?":
                required.add(name)

    assert used - described == set()
    # DOMAIN is needed only by the proxy file, once you go public.
    assert required - set_by_default == {"DOMAIN"}


def shell_scripts():
    """The template's own shell scripts and any in a bake's template directory."""
    scripts = [TEMPLATE_DIR / ".ci" / "run"]
    scripts += sorted((TEMPLATE_DIR / "{{cookiecutter.project_slug}}").rglob("*.sh"))
    return scripts


@pytest.mark.parametrize("script", shell_scripts(), ids=lambda path: path.name)
def test_shell_scripts_pass_shellcheck(script):
    result = run_tool("shellcheck", "--severity", "style", str(script), cwd=TEMPLATE_DIR)

    assert result.returncode == 0, describe(result)


# --- the generated project's CI -------------------------------------------------


@pytest.fixture(scope="module")
def workflow(default_bake):
    text = (default_bake.path / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


def test_ci_workflow_reads_the_code_and_nothing_else(workflow):
    _, parsed = workflow

    assert parsed["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in parsed["jobs"].values())


def test_ci_actions_are_pinned_to_commit_shas_with_their_version(workflow):
    text, parsed = workflow
    steps = [step for job in parsed["jobs"].values() for step in job["steps"]]
    uses = [step["uses"] for step in steps if "uses" in step]

    assert uses
    for action in uses:
        assert FULL_SHA_PIN.match(action), action
        assert re.search(re.escape(action) + r" # v\d", text), f"{action} has no # vN comment"


def test_ci_runs_lint_scans_tests_migration_check_and_image_build(workflow):
    _, parsed = workflow
    services = parsed["jobs"]["test"]["services"]
    commands = "\n".join(
        step.get("run", "") for job in parsed["jobs"].values() for step in job["steps"]
    )

    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert {"TEST_DATABASE_URL", "TEST_REDIS_URL"} <= set(parsed["jobs"]["test"]["env"])
    expected = ("ruff check .", "ruff format --check .", "bandit", "pip-audit", "pytest")
    for command in (*expected, "flask db check"):
        assert command in commands
    assert "docker build" in commands


def test_the_ci_workflows_env_file_gives_every_variable_compose_requires(default_bake, workflow):
    text, _parsed = workflow
    written = set(re.findall(r'echo "(\w+)=', text))
    required = {
        name
        for name, operator in INTERPOLATION.findall(
            (default_bake.path / "docker-compose.yml").read_text(encoding="utf-8")
        )
        if operator == ":?"
    }
    assert required - written == set()


def test_dependabot_updates_the_lock_actions_and_docker(default_bake):
    config = yaml.safe_load((default_bake.path / ".github" / "dependabot.yml").read_text())

    ecosystems = {update["package-ecosystem"] for update in config["updates"]}

    assert config["version"] == 2
    assert ecosystems >= {"uv", "github-actions", "docker"}


def test_ci_tests_every_supported_python_with_uv_cancels_superseded_runs_and_times_out(workflow):
    text, parsed = workflow
    test_job = parsed["jobs"]["test"]
    steps = test_job["steps"]
    (setup_uv,) = [step for step in steps if "setup-uv" in step.get("uses", "")]
    commands = "\n".join(step.get("run", "") for step in steps)

    assert test_job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    assert setup_uv["with"]["python-version"] == "${{ matrix.python-version }}"
    assert setup_uv["with"]["enable-cache"] is True
    assert setup_uv["with"]["cache-dependency-glob"] == "uv.lock"
    assert "uv sync --locked --extra dev" in commands
    assert parsed["concurrency"]["cancel-in-progress"] is True
    assert all(job["timeout-minutes"] <= 30 for job in parsed["jobs"].values())
    assert "docker-compose.dev.yml run --rm --build web pytest" in text


# --- the boot test ---------------------------------------------------------------


def stage_image_files(project, destination):
    """Copy what the runtime stage copies from the context, where it puts it, into ``destination``.

    Running from here proves the image holds every file its commands need
    (and that nothing outside the Dockerfile's COPY lines, .env included, is).
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
    for sources, target in context_copies(runtime_stage(project)):
        for source in sources:
            if target.endswith("/"):
                copy_to = destination / target / os.path.basename(source.rstrip("/"))
            else:
                copy_to = destination / target
            if (project / source).is_dir():
                shutil.copytree(project / source, copy_to, ignore=ignore)
            else:
                copy_to.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(project / source, copy_to)


def as_python_arguments(command):
    """A container command run with this interpreter: ``gunicorn ...`` -> ``-m gunicorn ...``."""
    program, *arguments = command
    if program in ("gunicorn", "flask"):
        return ["-m", program, *arguments]
    if program == "python":
        return arguments
    raise AssertionError(f"the boot test does not know how to run {command!r}")


@pytest.fixture
def real_services():
    """The PostgreSQL and Redis servers given for the tests; required under CI."""
    if given_database_url() and given_redis_url():
        return given_database_url(), given_redis_url()
    message = "the boot test needs TEST_DATABASE_URL and TEST_REDIS_URL (see .ci/run)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_image_commands_migrate_and_serve_health_outside_a_container(
    bake_into, tmp_path, real_services
):
    database_server, redis_url = real_services
    project = bake_into("boot").path
    image_root = tmp_path / "app"
    stage_image_files(project, image_root)
    runtime = runtime_stage(project)
    compose_model = resolved_compose(project)
    migrate_command = compose_model["services"]["migrate"]["command"]
    start_command = compose_model["services"]["web"].get("command") or exec_form(runtime, "CMD")
    port = free_port()

    with ExitStack() as cleanup:
        database_url = cleanup.enter_context(fresh_postgres_database(database_server, "forge_boot"))
        # As the container has it: the image's ENV, then compose's environment,
        # with the services moved to the test servers and the port to a free
        # one on loopback (the image listens on 0.0.0.0 inside its container).
        env = project_env(
            **{**stage_environment(runtime), **compose_model["services"]["web"]["environment"]}
        )
        env.update(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            GUNICORN_HOST="127.0.0.1",
            PORT=str(port),
        )

        # `docker compose run --rm web flask db upgrade` after the migrate service: idempotent.
        for _ in range(2):
            migrate = run(image_root, *as_python_arguments(migrate_command), env=env)
            assert migrate.returncode == 0, describe(migrate)

        stdout_path, stderr_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
        with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, *as_python_arguments(start_command)],
                cwd=image_root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
        process.log, process.log_path = stdout_path.open("ab"), stdout_path
        cleanup.callback(stop_server, process)

        url = f"http://127.0.0.1:{port}/health"
        wait_for_http(url, process)
        with urllib.request.urlopen(url, timeout=10) as response:
            status, body = response.status, json.loads(response.read())

        stop_server(process)  # SIGTERM, as `docker stop` sends it

    assert status == 200, body
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    logs = stdout_path.read_text(encoding="utf-8", errors="replace")
    errors = stderr_path.read_text(encoding="utf-8", errors="replace")
    assert f"Listening at: http://127.0.0.1:{port}" in logs, logs + errors
    # The app's own request line, JSON in production (gunicorn's access log is
    # off); Flask writes it to wsgi.errors, which gunicorn sends to stderr.
    assert re.search(r'"path": ?"/health"', errors), logs + errors
    assert process.returncode == 0, logs + errors
