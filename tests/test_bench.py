"""A bake's shipped benchmark (``python -m bench``), run for real with tiny durations.

It serves the bake's app and the bare app under gunicorn and measures them,
so it needs PostgreSQL and Redis: ``TEST_DATABASE_URL`` and
``TEST_REDIS_URL`` (each run gets a fresh database, dropped afterwards).
Once with the Python load client, once with wrk when it is installed.
"""

import os
import secrets
import shutil

import pytest

from helpers.processes import describe, project_env, run
from helpers.services import fresh_postgres_database, given_database_url, given_redis_url

ENDPOINTS = ("/", "/dashboard", "/api/v1/notes", "/health")
COLUMNS = 11  # endpoint, req/s, p50, p99, p99/p50, bare req/s, ratio, SQL, cmds, trips, errors
BENCH_TIMEOUT = 90

# Skipped on a developer's machine without them; under CI (.ci/run provides
# both) their absence fails the run instead of passing as a skip.
IN_CI = bool(os.environ.get("CI"))
needs_services = pytest.mark.skipif(
    not (given_database_url() and given_redis_url()) and not IN_CI,
    reason="the benchmark runs against PostgreSQL and Redis: "
    "set TEST_DATABASE_URL and TEST_REDIS_URL",
)
LOADS = [
    "python",
    pytest.param(
        "wrk",
        marks=pytest.mark.skipif(
            shutil.which("wrk") is None and not IN_CI, reason="wrk is not on PATH"
        ),
    ),
]


@pytest.fixture(scope="module")
def project(bake_into):
    return bake_into("bench", use_benchmark=True).path


def bench_env(**overrides):
    """A production environment with the smallest settings that still measure."""
    return project_env(
        SECRET_KEY=secrets.token_urlsafe(48),
        BENCH_DURATION="1",
        BENCH_ROUNDS="1",
        BENCH_CONNECTIONS="2",
        **overrides,
    )


def cpu_rows(stdout):
    """The "CPU per request" section: {path: (app server, PostgreSQL, Redis, bare server)}."""
    section = stdout.split("CPU per request", 1)[1].split("Budget", 1)[0]
    rows = {}
    for line in section.splitlines():
        words = line.split()
        if words[:1] == ["GET"]:
            rows[words[1]] = tuple(float(value) for value in words[2:6])
    return rows


def table_rows(stdout):
    """``{path: [cells]}`` for the table's lines (``GET <path> | ... | ...``)."""
    rows = {}
    for line in stdout.splitlines():
        if line.startswith("GET "):
            cells = [cell.strip() for cell in line.split("|")]
            rows[cells[0].removeprefix("GET ")] = cells
    return rows


def user_count(database_url):
    import psycopg

    with psycopg.connect(database_url, connect_timeout=10) as connection:
        return connection.execute("SELECT count(*) FROM users").fetchone()[0]


@needs_services
@pytest.mark.parametrize("load", LOADS)
def test_the_benchmark_measures_and_counts_every_endpoint(project, load):
    with fresh_postgres_database(given_database_url(), "forge_bench") as database_url:
        env = bench_env(DATABASE_URL=database_url, REDIS_URL=given_redis_url(), BENCH_LOAD=load)
        result = run(project, "-m", "bench", env=env, timeout=BENCH_TIMEOUT)
        users_left = user_count(database_url)

    assert result.returncode == 0, describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    rows = table_rows(result.stdout)
    assert set(rows) == set(ENDPOINTS), describe(result)
    for path, cells in rows.items():
        assert len(cells) == COLUMNS, cells
        _, rps, p50, p99, tail, bare_rps, ratio, sql, commands, trips, errors = cells
        assert float(rps) > 0, cells
        assert 0 < float(p50) <= float(p99), cells
        assert tail.endswith("x"), cells
        assert ratio.endswith("x"), cells
        assert float(bare_rps) > 0, cells
        assert float(ratio.removesuffix("x")) > 0, cells
        assert int(sql) >= 0, cells
        assert int(trips) <= int(commands), cells
        assert errors == "0", f"{path}: requests failed\n{describe(result)}"
    # /health asks both services on every request, by definition.
    assert int(rows["/health"][7]) >= 1
    assert int(rows["/health"][8]) >= 1
    cpu = cpu_rows(result.stdout)
    assert set(cpu) == set(ENDPOINTS), result.stdout
    for path, (app_server, _postgres, _redis, bare_server) in cpu.items():
        assert app_server > 0, path
        assert bare_server > 0, path
    # /health makes both servers work on every request (CPU is read in 10 ms ticks).
    _, postgres, redis, _ = cpu["/health"]
    assert postgres + redis > 0, result.stdout
    expected_generator = "wrk" if load == "wrk" else "Python client"
    assert expected_generator in result.stdout
    budget = [line.strip() for line in result.stdout.split("Budget")[-1].splitlines()]
    for target in ("/dashboard: ratio >=", "/api/v1/notes: ratio >=", "/health: ratio >="):
        assert any(
            line.startswith(f"GET {target}") and line.endswith(("met", "NOT MET"))
            for line in budget
        ), result.stdout
    assert sum("p99 < 4x p50" in line for line in budget) == len(ENDPOINTS), result.stdout
    assert users_left == 0, "the bench user was not removed"


def test_without_database_and_redis_it_says_so_in_one_line(project):
    result = run(
        project, "-m", "bench", env=bench_env(DATABASE_URL=None, REDIS_URL=None), timeout=60
    )

    assert result.returncode == 2, describe(result)
    assert "DATABASE_URL and REDIS_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""
