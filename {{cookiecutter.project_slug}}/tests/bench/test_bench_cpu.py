"""The benchmark's CPU accounting (bench/cpu.py): per process group, PostgreSQL and Redis."""

import os
import time

import pytest

from bench import cpu
from bench.cpu import CpuUse, difference, tally


def test_tally_sorts_processes_into_server_postgres_and_redis():
    processes = {
        10: (10, "gunicorn", 1.0),
        11: (10, "python", 2.0),  # a worker: same process group as the master
        20: (20, "postgres", 0.5),
        21: (21, "postgres: bench", 0.25),
        30: (30, "redis-server *:6379", 0.125),
        40: (40, "bash", 9.0),
    }
    assert tally(processes, server_group=10) == CpuUse(3.0, 0.75, 0.125)


def test_difference_counts_a_new_or_reused_pid_from_zero():
    before = {1: (1, "postgres", 5.0), 2: (2, "postgres", 7.0)}
    after = {1: (1, "postgres", 5.5), 2: (2, "bash", 1.0), 3: (3, "postgres", 0.25)}
    spent = difference(before, after)
    assert spent == {1: (1, "postgres", 0.5), 2: (2, "bash", 1.0), 3: (3, "postgres", 0.25)}


def test_per_request_is_in_microseconds_and_safe_without_requests():
    assert CpuUse(0.5, 0.25, 0.1).per_request(1000) == pytest.approx(CpuUse(500, 250, 100))
    assert CpuUse(0.5, 0.25, 0.1).per_request(0) == CpuUse(0.0, 0.0, 0.0)


@pytest.mark.skipif(not cpu.available(), reason="needs Linux's /proc")
def test_measuring_sees_the_cpu_this_process_group_spends():
    with cpu.measuring(os.getpgrp()) as used:
        deadline = time.process_time() + 0.1
        while time.process_time() < deadline:
            pass
    assert used.server >= 0.05


def test_without_proc_nothing_is_measured(monkeypatch):
    monkeypatch.setattr(cpu, "available", lambda: False)
    with cpu.measuring(os.getpgrp()) as used:
        pass
    assert used == CpuUse()
