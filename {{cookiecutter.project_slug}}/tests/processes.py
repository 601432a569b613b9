"""Processes a test starts (e.g. the browser tests' gunicorn), made to die with the run.

A fixture's teardown stops what it started, but a run that is killed
(Ctrl-C twice, ``kill -9``, a CI job's time limit) runs no teardown, and a
server left running keeps its port and its database connections for good.
So each process started here:

- gets a signal when pytest dies, however it dies: on Linux the kernel sends
  it ``SIGTERM`` when its parent exits (``prctl(PR_SET_PDEATHSIG)``, set in
  the child before it runs the program); gunicorn then stops its workers
  within its graceful timeout;
- runs in a process group of its own (its own session), so that ``stop``
  ends it and every process it started (gunicorn's workers) at once, and a
  Ctrl-C in the terminal reaches only pytest, which then stops it in order.

Elsewhere than Linux there is no parent-death signal: a killed run may leave
the processes running (``stop`` still ends them when the run ends normally).
"""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

# From <linux/prctl.h>.
PR_SET_PDEATHSIG = 1
# How long ``stop`` lets a process end by itself after SIGTERM before SIGKILL.
STOP_SECONDS = 15


def die_with_this_process() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the child sent SIGTERM when this process dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)

    def in_child() -> None:
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # the parent died before prctl: nobody will signal us
            os.kill(os.getpid(), signal.SIGTERM)

    return in_child


def start(args: list[str], **options: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(args, **options)``, in its own process group, dying with pytest."""
    return subprocess.Popen(  # noqa: S603  (the tests' own commands)
        args,
        start_new_session=True,
        preexec_fn=die_with_this_process(),
        **options,
    )


def stop(process: subprocess.Popen[bytes], seconds: float = STOP_SECONDS) -> None:
    """End ``process`` and its group: SIGTERM, then SIGKILL after ``seconds``; reap it."""
    signal_group(process, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=seconds)
    # Also the group's other processes (gunicorn's workers), should any outlive the master.
    signal_group(process, signal.SIGKILL)
    process.wait()


def signal_group(process: subprocess.Popen[bytes], number: signal.Signals) -> None:
    """Send ``number`` to the process group ``process`` leads, if it still has members."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, number)


def missing(reason):
    """Skip a test whose service or browser is missing, saying why; under ``CI=true``
    fail it instead, so a CI machine cannot pass by skipping."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
