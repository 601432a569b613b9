"""Running commands in a baked project with this interpreter, and stopping servers.

Commands run as ``sys.executable -m <tool>`` from the project's directory,
exactly as its README would have them typed after an install: the project's
``app`` package and ``config`` module are found through the working
directory, never through whatever happens to be installed.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from helpers.baking import TEMPLATE_DIR

# Variables of the developer's shell that would change what a baked project
# does; each test sets what it needs explicitly.
SCRUBBED_VARIABLES = {
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "POSTGRES_PASSWORD",
    "PORT",
    "WEB_CONCURRENCY",
    "FORWARDED_ALLOW_IPS",
    "COVERAGE_PROCESS_START",
    "PYTHONPATH",
    "MAIL_URL",
    "MAIL_FROM",
    "PUBLIC_URL",
    "STORAGE_URL",
    "S3_ENDPOINT_URL",
}
# FLASK_* overrides config keys; PYTEST_ADDOPTS etc. would leak this run's
# options into a baked project's own test run; COV_CORE_* is pytest-cov's.
SCRUBBED_PREFIXES = ("FLASK_", "GUNICORN_", "PYTEST_", "COV_CORE_")
# Where commands in bakes keep their compiled bytecode: outside every bake, so
# that file scans see only what was baked, and kept from one command to the
# next. uv installs no .pyc, and some machines set PYTHONDONTWRITEBYTECODE:
# without this, each of the thousands of Python processes the tests start
# compiles Flask, SQLAlchemy and the rest again (3.5 s to create the app
# instead of 1.2 s).
PYCACHE_PREFIX = TEMPLATE_DIR / "build" / "pycache"

COMMAND_TIMEOUT = 120

# From <linux/prctl.h>.
PR_SET_PDEATHSIG = 1


def project_env(**overrides):
    """The environment for a command in a baked project.

    ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` pass through; an override of
    ``None`` removes a variable.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SCRUBBED_VARIABLES and not name.startswith(SCRUBBED_PREFIXES)
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_PREFIX)
    env["PYTHONUNBUFFERED"] = "1"
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(project, *args, env, timeout=COMMAND_TIMEOUT):
    """Run ``python <args>`` in ``project``; return the CompletedProcess."""
    return run_command(project, [sys.executable, *args], env=env, timeout=timeout)


def run_command(project, command, env, timeout=COMMAND_TIMEOUT):
    """Run ``command`` in ``project``; return the CompletedProcess.

    The command runs in its own process group. One that outlives ``timeout``
    is killed with everything it started (gunicorn workers, say) and the test
    fails, showing its output, instead of blocking the run.
    """
    with subprocess.Popen(
        command,
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            hung = subprocess.CompletedProcess(command, "killed", stdout, stderr)
            raise AssertionError(f"still running after {timeout}s\n{describe(hung)}") from None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def describe(result):
    """A failed command's output, for assertion messages."""
    return (
        f"command: {result.args}\nexit status: {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_this_process():
    """A ``preexec_fn`` that has the child sent SIGTERM when this process dies, however
    it dies (a killed run runs no teardown); Linux only, elsewhere None."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)

    def in_child():
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # the parent died before prctl: nobody will signal us
            os.kill(os.getpid(), signal.SIGTERM)

    return in_child


def start_server(project, args, env, log_path):
    """Start ``python <args>`` in ``project`` in its own process group, logging to a file;
    it gets SIGTERM should this process die without stopping it."""
    log = open(log_path, "wb")  # noqa: SIM115  (closed by stop_server)
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=die_with_this_process(),
    )
    process.log = log
    process.log_path = log_path
    return process


def server_log(process):
    """What a server started by ``start_server`` has written so far."""
    if not process.log.closed:
        process.log.flush()
    return process.log_path.read_text(encoding="utf-8", errors="replace")


def wait_for_http(url, process, timeout=30):
    """Poll ``url`` until it answers at all (any status); fail if the server dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"server exited with status {process.returncode} before answering {url}:\n"
                + server_log(process)
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} within {timeout}s:\n" + server_log(process))


def start_worker(project, env, log_path, timeout=30):
    """Start a bake's ``flask worker`` with ``env``; return once it listens for jobs."""
    process = start_server(project, ["-m", "flask", "worker"], env, log_path)
    deadline = time.monotonic() + timeout
    while "Listening on" not in server_log(process):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise AssertionError(f"the worker did not start:\n{server_log(process)}")
        time.sleep(0.1)
    return process


def stop_server(process, timeout=15):
    """Stop a server and every process it started: SIGTERM, wait, then SIGKILL."""
    # The group id is the server's own pid, and stays ours until it is reaped.
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)
    process.log.close()
