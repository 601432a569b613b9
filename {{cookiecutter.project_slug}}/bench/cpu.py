"""Where the CPU went during a run: the server under load, PostgreSQL and Redis.

A ratio says how much slower the app is than bare Flask; this says why. It
reads each process's CPU time from ``/proc`` before and after a run: the
server's own processes (gunicorn's master and workers, one process group),
and every ``postgres`` and ``redis-server`` process on the machine. Divided
by the requests served, that is the CPU each request cost in each place.

Linux only (``/proc``); elsewhere nothing is measured and the report says so.
"""

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
SERVICES = {"postgres": ("postgres",), "redis": ("redis-server",)}


@dataclass
class CpuUse:
    """CPU seconds spent by the server's processes, PostgreSQL and Redis."""

    server: float = 0.0
    postgres: float = 0.0
    redis: float = 0.0

    def per_request(self, requests):
        """The same, in microseconds per request."""
        scale = 1e6 / requests if requests else 0.0
        return CpuUse(self.server * scale, self.postgres * scale, self.redis * scale)


def available():
    """True where ``/proc`` gives per-process CPU times."""
    return (PROC / "self" / "stat").exists()


def read_processes():
    """``{pid: (process group, command name, CPU seconds)}`` for every readable process."""
    ticks = os.sysconf("SC_CLK_TCK")
    processes = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile, or not ours to read
            continue
        # "pid (command) state ppid pgrp ... utime stime ...": the command may hold spaces.
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        group, user_ticks, system_ticks = int(fields[2]), int(fields[11]), int(fields[12])
        processes[int(entry.name)] = (group, command, (user_ticks + system_ticks) / ticks)
    return processes


def tally(processes, server_group):
    """CPU seconds so far of the server's process group, PostgreSQL and Redis."""
    use = CpuUse()
    for group, command, seconds in processes.values():
        if group == server_group:
            use.server += seconds
        elif command.startswith(SERVICES["postgres"]):
            use.postgres += seconds
        elif command.startswith(SERVICES["redis"]):
            use.redis += seconds
    return use


def difference(before, after):
    """What each process spent between two readings (processes that started count from 0)."""
    spent = {}
    for pid, (group, command, seconds) in after.items():
        earlier = before.get(pid)
        start = earlier[2] if earlier and earlier[1] == command else 0.0
        spent[pid] = (group, command, max(0.0, seconds - start))
    return spent


@contextmanager
def measuring(server_group):
    """Yield a ``CpuUse`` that holds what the block cost once it ends (zeros without /proc)."""
    use = CpuUse()
    if not available():
        yield use
        return
    before = read_processes()
    yield use
    spent = tally(difference(before, read_processes()), server_group)
    use.server, use.postgres, use.redis = spent.server, spent.postgres, spent.redis
