"""The printed report: machine facts, the table, where the CPU went, and the budget.

Every figure of a request type is the median over the rounds: its req/s,
p50 and p99, its CPU per request, and its ratio, computed round by round as
the app's req/s over the bare app's req/s measured just before it (so a
slower minute of the machine hits both). The counters are exact, not sampled.
"""

import os
import platform
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.cpu import CpuUse
from bench.cpu import available as cpu_available
from bench.endpoints import P99_OVER_P50_BUDGET

COLUMNS = (
    "endpoint",
    "req/s",
    "p50 ms",
    "p99 ms",
    "p99/p50",
    "bare req/s",
    "ratio",
    "SQL/req",
    "Redis cmds/req",
    "Redis trips/req",
    "errors",
)


@dataclass
class Row:
    """One request type's figures, aggregated over the rounds."""

    endpoint: object
    rps: float
    p50_ms: float
    p99_ms: float
    bare_rps: float
    ratio: float
    counts: object
    errors: int
    cpu: object  # cpu.CpuUse per request (microseconds), the app's runs
    bare_cpu: object  # the same for the bare app's runs

    @property
    def tail(self):
        return self.p99_ms / self.p50_ms if self.p50_ms else float("inf")


def aggregate(endpoint, app_runs, bare_runs, counts):
    """A Row from the paired runs of every round (medians; errors summed).

    Each run is a ``(load.Result, cpu.CpuUse)`` pair.
    """
    app_results = [result for result, _ in app_runs]
    bare_results = [result for result, _ in bare_runs]
    ratios = [
        app.rps / bare.rps if bare.rps else 0.0
        for app, bare in zip(app_results, bare_results, strict=True)
    ]
    return Row(
        endpoint=endpoint,
        rps=statistics.median(result.rps for result in app_results),
        p50_ms=statistics.median(result.p50_ms for result in app_results),
        p99_ms=statistics.median(result.p99_ms for result in app_results),
        bare_rps=statistics.median(result.rps for result in bare_results),
        ratio=statistics.median(ratios),
        counts=counts,
        errors=sum(result.errors for result in [*app_results, *bare_results]),
        cpu=median_cpu(app_runs),
        bare_cpu=median_cpu(bare_runs),
    )


def median_cpu(runs):
    """Microseconds of CPU per request in each place, median over the runs."""
    per_request = [used.per_request(result.requests) for result, used in runs]
    return CpuUse(
        server=statistics.median(use.server for use in per_request),
        postgres=statistics.median(use.postgres for use in per_request),
        redis=statistics.median(use.redis for use in per_request),
    )


def cpu_lines(rows):
    """CPU per request: the app's server, PostgreSQL, Redis, and the bare app's server."""
    if not cpu_available():
        return ["CPU per request: not measured (needs Linux's /proc)"]
    lines = [
        "CPU per request, microseconds (median over rounds; all processes of each kind):",
        f"  {'endpoint':<18} {'app server':>10} {'PostgreSQL':>10} {'Redis':>6} "
        f"{'bare server':>11}",
    ]
    for row in rows:
        lines.append(
            f"  {'GET ' + row.endpoint.path:<18} {row.cpu.server:>10.0f} "
            f"{row.cpu.postgres:>10.0f} {row.cpu.redis:>6.0f} {row.bare_cpu.server:>11.0f}"
        )
    return lines


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, else what the platform says."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                name, _, value = line.partition(":")
                if name.strip() in ("model name", "Hardware", "Processor", "cpu model"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def wrk_version():
    """wrk's first line of ``wrk -v`` (e.g. "wrk 4.1.0 [epoll] ..."), or "wrk"."""
    path = shutil.which("wrk")
    if path is None:
        return "wrk"
    try:
        completed = subprocess.run(  # noqa: S603  (wrk's own path)
            [path, "-v"], capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return "wrk"
    first = (completed.stdout or completed.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk"


def header_lines(settings, workers, threads):
    """Facts that make the figures interpretable on another day or machine."""
    if settings.load == "wrk":
        generator = f"{wrk_version()}, {settings.wrk_threads} threads"
    else:
        generator = "Python client (threads, http.client)"
    return [
        f"date        {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC",
        f"machine     {cpu_model()}; {usable_cores()} usable cores of {os.cpu_count()}",
        f"python      {sys.version.split()[0]} ({platform.python_implementation()})",
        f"gunicorn    {workers} workers x {threads} threads (gunicorn.conf.py, both servers)",
        f"load        {generator}; {settings.connections} connections, "
        f"{settings.duration:g} s per run, {settings.rounds} rounds (bare, app per endpoint)",
        "figures     median over rounds; ratio = app req/s / bare app req/s, per round",
    ]


def table_lines(rows):
    """The table: a header line, a rule, and one line per request type."""
    cells = [COLUMNS]
    for row in rows:
        cells.append(
            (
                f"GET {row.endpoint.path}",
                f"{row.rps:.0f}",
                f"{row.p50_ms:.2f}",
                f"{row.p99_ms:.2f}",
                f"{row.tail:.1f}x",
                f"{row.bare_rps:.0f}",
                f"{row.ratio:.2f}x",
                f"{row.counts.sql}",
                f"{row.counts.redis_commands}",
                f"{row.counts.redis_round_trips}",
                f"{row.errors}",
            )
        )
    widths = [max(len(line[index]) for line in cells) for index in range(len(COLUMNS))]

    def render(line):
        first = line[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True))
        return " | ".join([first, *rest])

    return [render(cells[0]), "-+-".join("-" * width for width in widths)] + [
        render(line) for line in cells[1:]
    ]


def budget_lines(rows):
    """Each budget target beside what was measured: met or not met (never enforced)."""
    lines = []
    for row in rows:
        if row.endpoint.min_ratio is not None:
            met = row.ratio >= row.endpoint.min_ratio
            lines.append(
                f"  GET {row.endpoint.path}: ratio >= {row.endpoint.min_ratio:.2f}x "
                f"-> {row.ratio:.2f}x {'met' if met else 'NOT MET'}"
            )
    for row in rows:
        met = row.tail < P99_OVER_P50_BUDGET
        lines.append(
            f"  GET {row.endpoint.path}: p99 < {P99_OVER_P50_BUDGET:g}x p50 "
            f"-> {row.tail:.1f}x {'met' if met else 'NOT MET'}"
        )
    return lines


def render_report(settings, workers, threads, rows):
    """The whole report as text."""
    lines = ["flask-forge benchmark", *header_lines(settings, workers, threads), ""]
    lines += table_lines(rows)
    lines += ["", *cpu_lines(rows)]
    lines += ["", "Budget (informational, never enforced):", *budget_lines(rows)]
    if any(row.errors for row in rows):
        lines += [
            "",
            "Some requests failed (non-2xx or socket errors); their figures are suspect.",
        ]
    return "\n".join(lines)
