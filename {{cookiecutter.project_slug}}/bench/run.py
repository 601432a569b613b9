"""``python -m bench``: set up, check, count, measure, report; stop the servers on every exit.

The order of a run: migrate the database, start both servers, create the
bench user and its data over HTTP, check that every endpoint answers as it
must, count SQL and Redis per request in-process, warm both servers up,
then measure round by round (for each endpoint: the bare app, then the app)
and print the report. Exit status 0 whenever it measured, 1 when something
failed on the way, 2 for a usage problem (missing DATABASE_URL or REDIS_URL,
a bad knob), 130 when interrupted.
"""

import argparse
import os
import runpy
import signal
import sys
from contextlib import ExitStack, redirect_stderr
from dataclasses import dataclass

from bench import cpu, load
from bench.browser import Browser
from bench.endpoints import ENDPOINTS, CheckError, check_bare
from bench.fixtures import FixtureError, prepare_visitor, remove_visitor
from bench.report import aggregate, render_report
from bench.servers import (
    APP,
    BARE_APP,
    HOST,
    PROJECT_ROOT,
    ServerError,
    UsageError,
    close_database,
    migrate,
    production_app,
    server_environment,
    serving,
)

WARMUP_REQUESTS = 200
WARMUP_SECONDS = 2


@dataclass(frozen=True)
class Settings:
    """The knobs: seconds per run, connections, rounds, and the load generator."""

    duration: float
    connections: int
    rounds: int
    load: str

    @property
    def wrk_threads(self):
        return load.wrk_threads(self.connections)


def parse_settings(argv):
    """Settings from the command line, defaulting to BENCH_* variables, then built-ins."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Benchmark the app against a bare Flask app."
    )
    env = os.environ.get
    parser.add_argument("--duration", type=float, default=env("BENCH_DURATION", "3"))
    parser.add_argument("--connections", type=int, default=env("BENCH_CONNECTIONS", "4"))
    parser.add_argument("--rounds", type=int, default=env("BENCH_ROUNDS", "3"))
    parser.add_argument("--load", choices=("wrk", "python"), default=env("BENCH_LOAD") or None)
    arguments = parser.parse_args(argv)
    if arguments.duration <= 0 or arguments.connections < 1 or arguments.rounds < 1:
        parser.error("duration, connections and rounds must be positive")
    kind = load.choose(arguments.load)
    return Settings(arguments.duration, arguments.connections, arguments.rounds, kind)


def progress(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def gunicorn_settings(env):
    """Workers and threads as the project's gunicorn.conf.py computes them."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        conf = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return conf["workers"], conf["threads"]


def check_endpoints(app_browser, bare_browser, visitor):
    """Every endpoint answers as it must, and so does the bare app."""
    for endpoint in ENDPOINTS:
        answer = app_browser.request("GET", endpoint.path, headers=endpoint.headers(visitor))
        endpoint.check(answer, visitor)
    check_bare(bare_browser.request("GET", "/"))


def count_endpoints(project_app, visitor):
    """SQL and Redis counts per endpoint, from a production app in this process.

    The app's log lines (one per request, to stderr) are dropped meanwhile.
    """
    from tests.request_counters import count_request

    client = project_app.test_client(use_cookies=False)
    counts = {}
    with open(os.devnull, "w") as devnull, redirect_stderr(devnull):
        for endpoint in ENDPOINTS:
            counts[endpoint.path] = count_request(
                project_app, client, "GET", endpoint.path, headers=endpoint.headers(visitor)
            )
    for path, counted in counts.items():
        if counted.status != 200:
            raise CheckError(f"in-process GET {path} answered {counted.status}")
    return counts


def warm_up(app_server, bare_server, visitor):
    """A few hundred requests to every endpoint and the bare app: pools, imports, caches."""
    for endpoint in ENDPOINTS:
        load.run_python(
            app_server.url + endpoint.path,
            endpoint.headers(visitor),
            WARMUP_SECONDS,
            2,
            max_requests=WARMUP_REQUESTS,
        )
    load.run_python(bare_server.url + "/", {}, WARMUP_SECONDS, 2, max_requests=WARMUP_REQUESTS)


def measure(settings, app_server, bare_server, visitor):
    """Each round, each endpoint: the bare app, then the app. Returns the runs.

    Each run is a ``(load.Result, cpu.CpuUse)`` pair: what the load generator
    saw, and the CPU the server, PostgreSQL and Redis spent meanwhile.
    """
    runs = {endpoint.path: ([], []) for endpoint in ENDPOINTS}
    for round_number in range(1, settings.rounds + 1):
        for endpoint in ENDPOINTS:
            progress(f"round {round_number}/{settings.rounds}: GET {endpoint.path}")
            app_runs, bare_runs = runs[endpoint.path]
            bare_runs.append(run_measured(settings, bare_server, "/", {}))
            app_runs.append(
                run_measured(settings, app_server, endpoint.path, endpoint.headers(visitor))
            )
    return runs


def run_measured(settings, server, path, headers):
    """One load run against ``server``, with the CPU it cost."""
    with cpu.measuring(server.process_group) as used:
        result = load.run_load(
            settings.load, server.url + path, headers, settings.duration, settings.connections
        )
    return result, used


def benchmark(settings, project_app):
    """The whole run, inside an ExitStack that stops the servers and removes the user."""
    with ExitStack() as cleanup:
        env = server_environment()
        progress("migrating the database (flask db upgrade)")
        migrate(env)
        progress("starting the app and the bare app under gunicorn")
        app_server = cleanup.enter_context(serving("app", APP, env))
        bare_server = cleanup.enter_context(serving("bare", BARE_APP, env))
        browser = Browser(HOST, app_server.port)
        progress("creating the bench user, its session and data")
        visitor = prepare_visitor(project_app, browser)
        cleanup.callback(remove_visitor, project_app, browser, visitor)

        check_endpoints(Browser(HOST, app_server.port), Browser(HOST, bare_server.port), visitor)
        progress("counting SQL statements and Redis commands per request")
        counts = count_endpoints(project_app, visitor)
        progress(f"warming up; then measuring with {settings.load}")
        warm_up(app_server, bare_server, visitor)
        runs = measure(settings, app_server, bare_server, visitor)
        rows = [
            aggregate(endpoint, *runs[endpoint.path], counts[endpoint.path])
            for endpoint in ENDPOINTS
        ]
        workers, threads = gunicorn_settings(env)
        print(render_report(settings, workers, threads, rows), flush=True)


def stop_on_sigterm(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None):
    try:
        settings = parse_settings(argv)
    except load.LoadError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    try:
        project_app = production_app()
    except UsageError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    try:
        benchmark(settings, project_app)
    except KeyboardInterrupt:
        print("bench: interrupted; servers stopped, bench user removed", file=sys.stderr)
        return 130
    except (ServerError, FixtureError, CheckError, load.LoadError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        close_database(project_app)
    return 0
