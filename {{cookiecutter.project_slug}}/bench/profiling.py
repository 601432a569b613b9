"""``python -m bench.profiling PATH``: where one request type spends its time.

Runs ``--requests`` in-process requests of one of the benchmark's request
types (see ``bench/endpoints.py``) through a production app on the real
PostgreSQL and Redis, with the same bench user and data, and prints
pyinstrument's call tree (cProfile's top functions when pyinstrument is not
installed). No server and no network
client are involved, so what shows is the app's own request path: the place
to look before optimising, and to check afterwards that it helped.
"""

import argparse
import os
import sys
import time
from contextlib import redirect_stderr

from bench.browser import InProcessBrowser
from bench.endpoints import ENDPOINTS
from bench.fixtures import FixtureError, prepare_visitor, remove_visitor
from bench.servers import (
    ServerError,
    UsageError,
    close_database,
    migrate,
    production_app,
    server_environment,
)
from tests.request_counters import count_request

WARMUP_REQUESTS = 20
CPROFILE_LINES = 30


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.profiling",
        description="Profile in-process requests of one type under pyinstrument.",
    )
    parser.add_argument("path", choices=[endpoint.path for endpoint in ENDPOINTS])
    parser.add_argument("-n", "--requests", type=int, default=200, help="requests to profile")
    parser.add_argument("--html", help="also write pyinstrument's HTML report to this file")
    return parser.parse_args(argv)


def profile_requests(send, requests, html_path=None):
    """Call ``send()`` ``requests`` times under a profiler; print its report."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return profile_with_cprofile(send, requests)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(requests):
        send()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=sys.stdout.isatty()))
    if html_path:
        with open(html_path, "w", encoding="utf-8") as html:
            html.write(profiler.output_html())
        print(f"HTML report: {html_path}")
    return None


def time_requests(send, requests):
    """Seconds per request, wall clock and this process's CPU, without any profiler.

    The CPU figure leaves out PostgreSQL and Redis, which run elsewhere: the
    difference between the two is mostly time spent waiting for them.
    """
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(requests):
        send()
    return (
        (time.perf_counter() - wall_start) / requests,
        (time.process_time() - cpu_start) / requests,
    )


def profile_with_cprofile(send, requests):
    import cProfile
    import pstats

    print("pyinstrument is not installed (pip install -e '.[dev]'); cProfile instead:\n")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        send()
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(CPROFILE_LINES)


def run(arguments, project_app):
    endpoint = next(e for e in ENDPOINTS if e.path == arguments.path)
    client = project_app.test_client(use_cookies=False)
    browser = InProcessBrowser(client)
    # The app writes a log line per request to stderr; they go nowhere meanwhile.
    with open(os.devnull, "w") as devnull:
        with redirect_stderr(devnull):
            visitor = prepare_visitor(project_app, browser)
        headers = endpoint.headers(visitor)

        def send():
            with redirect_stderr(devnull):
                response = client.get(endpoint.path, headers=headers)
                response.get_data()
                response.close()
            if response.status_code != 200:
                raise FixtureError(f"GET {endpoint.path} answered {response.status_code}")

        try:
            for _ in range(WARMUP_REQUESTS):
                send()
            with redirect_stderr(devnull):
                counts = count_request(project_app, client, "GET", endpoint.path, headers=headers)
            wall, cpu = time_requests(send, arguments.requests)
            started = time.perf_counter()
            profile_requests(send, arguments.requests, arguments.html)
            elapsed = time.perf_counter() - started
        finally:
            with redirect_stderr(devnull):
                remove_visitor(project_app, browser, visitor)
    print(
        f"GET {endpoint.path}: {arguments.requests} requests in process: "
        f"{wall * 1e6:.0f} us each ({cpu * 1e6:.0f} us of this process's CPU) without the "
        f"profiler, {elapsed / arguments.requests * 1000:.2f} ms under it; "
        f"{counts.sql} SQL statements, {counts.redis_commands} Redis commands in "
        f"{counts.redis_round_trips} round trips per request"
    )


def main(argv=None):
    arguments = parse_arguments(argv)
    if arguments.requests < 1:
        print("bench.profiling: --requests must be at least 1", file=sys.stderr)
        return 2
    try:
        project_app = production_app()
    except UsageError as error:
        print(f"bench.profiling: {error}", file=sys.stderr)
        return 2
    try:
        migrate(server_environment())
        run(arguments, project_app)
    except (ServerError, FixtureError) as error:
        print(f"bench.profiling: {error}", file=sys.stderr)
        return 1
    finally:
        close_database(project_app)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
