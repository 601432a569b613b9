"""Production refuses to start without safe settings, under every entry point.

Each case must end the process quickly with a non-zero status, print a line
naming the variable at fault, and show no traceback. A hang fails the test
through the command timeout rather than blocking the run.

Why these tests delete ``.env``: the bake's ``.env`` holds a fresh, strong
SECRET_KEY, and config.py reads ``.env`` outside the test suite (real
environment variables win over it). With ``.env`` in place, SECRET_KEY could
never be missing. Every other variable is given in the environment, so the
only thing wrong in each case is the one being tested.
"""

import secrets

import pytest

from helpers.processes import describe, free_port, project_env, run

REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MAIL_URL", "STORAGE_URL")
# Seconds an entry point gets to refuse; starting the interpreter and
# importing the app takes one or two on a busy machine.
REFUSAL_TIMEOUT = 20

CASES = {
    "secret-key-missing": ("SECRET_KEY", {"SECRET_KEY": None}),
    "secret-key-empty": ("SECRET_KEY", {"SECRET_KEY": ""}),
    "secret-key-placeholder": ("SECRET_KEY", {"SECRET_KEY": "change-me-to-a-long-random-string"}),
    "secret-key-short": ("SECRET_KEY", {"SECRET_KEY": "s" * 31}),
    "database-url-missing": ("DATABASE_URL", {"DATABASE_URL": None}),
    "redis-url-missing": ("REDIS_URL", {"REDIS_URL": None}),
    "mail-url-missing": ("MAIL_URL", {"MAIL_URL": None}),
    "mail-url-not-a-mail-server": ("MAIL_URL", {"MAIL_URL": "http://mail.example.com"}),
    "storage-url-missing": ("STORAGE_URL", {"STORAGE_URL": None}),
    "storage-url-relative": ("STORAGE_URL", {"STORAGE_URL": "file://files"}),
}
ENTRY_POINTS = {
    "gunicorn": ["-m", "gunicorn", "app:create_app()", "--bind", "127.0.0.1:{port}"],
    # Without the project's gunicorn.conf.py the check runs in the worker,
    # which must stop gunicorn rather than be respawned forever. One worker:
    # gunicorn 27 prints its own HaltServer traceback when several fail at once.
    "gunicorn-other-config": [
        *("-m", "gunicorn", "app:create_app()", "--bind", "127.0.0.1:{port}"),
        *("--config", "other.conf.py", "--workers", "1"),
    ],
    "flask-run": ["-m", "flask", "run", "--port", "{port}"],
    "flask-routes": ["-m", "flask", "routes"],
    "manage-py-routes": ["manage.py", "routes"],
}


@pytest.fixture(scope="module")
def project(bake_into, tmp_path_factory):
    """A default bake without its .env (see the module docstring)."""
    path = bake_into("refuse").path
    (path / ".env").unlink()
    (path / "other.conf.py").write_text("# a gunicorn config without the project's check\n")
    return path


@pytest.fixture(scope="module")
def valid_settings(tmp_path_factory):
    """Production settings that pass every check (the services are never contacted)."""
    database = tmp_path_factory.mktemp("refuse-db") / "never-used.db"
    return {
        "FLASK_CONFIG": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "MAIL_URL": "smtp://127.0.0.1:9",
        "STORAGE_URL": "s3://never-used",
    }


def command(entry_point):
    """The entry point's arguments, on a port nothing listens on."""
    port = str(free_port())
    return [argument.replace("{port}", port) for argument in ENTRY_POINTS[entry_point]]


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
@pytest.mark.parametrize("case", CASES)
def test_production_refuses_to_start(project, valid_settings, case, entry_point):
    variable, changes = CASES[case]
    env = project_env(**{**valid_settings, **changes})

    result = run(project, *command(entry_point), env=env, timeout=REFUSAL_TIMEOUT)

    assert result.returncode != 0, describe(result)
    naming = [line for line in result.stderr.splitlines() if variable in line]
    assert naming, describe(result)
    others = [name for name in REQUIRED if name != variable]
    assert not any(name in line for line in naming for name in others), describe(result)
    assert "Traceback" not in result.stdout + result.stderr, describe(result)


def test_production_with_valid_settings_passes_the_check(project, valid_settings):
    result = run(project, *command("manage-py-routes"), env=project_env(**valid_settings))

    assert result.returncode == 0, describe(result)
    assert "/auth/login" in result.stdout
