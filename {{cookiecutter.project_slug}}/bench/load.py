"""Load generators: wrk when it is installed, else a bounded Python client.

Both hold ``connections`` connections open against one URL for ``duration``
seconds and report requests per second and the 50th and 99th percentile
latencies. wrk is far cheaper per request, so on a small machine it leaves
more CPU to the servers; the Python client works anywhere, but its own cost
caps what it can measure (the bare app suffers most, which makes ratios look
better than they are). Both are bounded: wrk by its duration, the Python
client by its duration and a maximum number of requests.
"""

import http.client
import math
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
WRK_MARKER = "BENCH-RESULT"
MAX_REQUESTS = 200_000
REQUEST_TIMEOUT = 10


class LoadError(Exception):
    """The load generator failed or printed nothing we can read."""


@dataclass
class Result:
    """One run against one URL."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers and socket errors

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path():
    return shutil.which("wrk")


def choose(forced=None):
    """``"wrk"`` or ``"python"``: the one forced, else wrk when it is on PATH."""
    if forced == "wrk" and wrk_path() is None:
        raise LoadError("BENCH_LOAD=wrk but wrk is not on PATH")
    if forced:
        return forced
    return "wrk" if wrk_path() else "python"


def run_load(kind, url, headers, duration, connections):
    """Load ``url`` with ``kind`` ("wrk" or "python"); return a Result."""
    if kind == "wrk":
        return run_wrk(url, headers, duration, connections)
    return run_python(url, headers, duration, connections)


def wrk_threads(connections):
    return max(1, min(connections, 2))


def run_wrk(url, headers, duration, connections):
    """One wrk run; its Lua ``done()`` prints exact figures on one line."""
    command = [
        wrk_path() or "wrk",
        f"--threads={wrk_threads(connections)}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration))}s",
        f"--timeout={REQUEST_TIMEOUT}s",
        f"--script={WRK_SCRIPT}",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command.append(url)
    completed = subprocess.run(  # noqa: S603  (wrk, with arguments built here)
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    return parse_wrk(completed.stdout, completed.stderr, completed.returncode)


def parse_wrk(stdout, stderr="", returncode=0):
    """The Result in wrk's output (the line our Lua script prints)."""
    for line in stdout.splitlines():
        if line.startswith(WRK_MARKER):
            fields = dict(part.split("=", 1) for part in line.split()[1:])
            values = {name: int(value) for name, value in fields.items()}
            errors = sum(
                values[name]
                for name in ("non2xx", "connect_errors", "read_errors", "write_errors", "timeouts")
            )
            return Result(
                requests=values["requests"],
                seconds=values["duration_us"] / 1e6,
                p50_ms=values["p50_us"] / 1000,
                p99_ms=values["p99_us"] / 1000,
                errors=errors,
            )
    raise LoadError(f"wrk exited with {returncode} and no result:\n{stdout}{stderr}".strip())


def percentile(sorted_values, fraction):
    """The nearest-rank percentile of a sorted list (``fraction`` 0.5 for p50)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def run_python(url, headers, duration, connections, max_requests=MAX_REQUESTS):
    """``connections`` threads, each with one keep-alive connection, until time or count runs out.

    http.client reconnects by itself when the server closes a connection
    (gunicorn's sync workers close after every response).
    """
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    path = "/" + path
    lock = threading.Lock()
    latencies = []
    errors = [0]
    budget = [max_requests]
    deadline = time.perf_counter() + duration

    def take_one():
        with lock:
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            return True

    def worker():
        connection = http.client.HTTPConnection(host, int(port), timeout=REQUEST_TIMEOUT)
        mine = []
        failed = 0
        try:
            while time.perf_counter() < deadline and take_one():
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    if not 200 <= response.status < 300:
                        failed += 1
                except (OSError, http.client.HTTPException):
                    failed += 1
                    connection.close()
                    continue
                mine.append(time.perf_counter() - started)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    return Result(
        requests=len(latencies),
        seconds=seconds,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        errors=errors[0],
    )
