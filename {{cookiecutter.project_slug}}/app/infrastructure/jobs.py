"""Background jobs on RQ: queued by a request, run by ``flask worker``.

A job is a plain function called with JSON values (ids and addresses, never
a link or a token: job arguments sit in Redis until the job's record
expires). ``enqueue(send_something, user.id)`` after the database commit
is all a view does; the page answers at once, however slow the mail server.

With ``REDIS_URL`` the job goes into the ``JOB_QUEUE`` queue in that Redis;
``flask worker`` runs it, in a forked process inside the app's context
(``app/compat/rq.py``). A job that raises is retried after each of
``JOB_RETRY_INTERVALS`` seconds (RQ's scheduler, which ``flask worker``
runs, puts it back in the queue), then kept as failed, where ``flask
jobs`` counts it. A worker stopped with SIGTERM lets its running job
finish first; one killed outright has its job retried by the next worker's
clean-up.

Without ``REDIS_URL`` (development), or with ``JOBS_RUN_AT_ONCE`` (the
test suite), a job runs at once, in the process and app context that
queued it, after the same JSON round trip its arguments would make
through Redis, so a value a queue would refuse fails in development too.
"""

import json
from collections.abc import Callable
from typing import Any

import redis
from flask import Flask, current_app
from rq import Queue, Retry
from rq.job import Job
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)
from rq.serializers import JSONSerializer

from app.infrastructure.redis_client import redis_store

# JSON rather than RQ's default, pickle: whoever can write to Redis must not
# be able to make the worker unpickle (and so run) anything.
SERIALIZER = JSONSerializer
# What ``flask jobs`` counts, in the order it shows them.
COUNTED = ("queued", "running", "scheduled", "deferred", "failed")


def runs_at_once(app: Flask) -> bool:
    """True when jobs run in the process that queues them (no Redis, or the test suite)."""
    return app.config["JOBS_RUN_AT_ONCE"] or not app.config["REDIS_URL"]


def job_queue(connection: redis.Redis | None = None) -> Queue:
    """The app's queue, on ``connection`` or else the app's own Redis client."""
    return Queue(
        current_app.config["JOB_QUEUE"],
        connection=connection or redis_store.client,
        serializer=SERIALIZER,
    )


def enqueue(func: Callable[..., Any], *args: Any) -> Job | None:
    """Run ``func(*args)`` in the background, or at once when there is no queue.

    Call it after the database commit, so the job finds what the request wrote.
    """
    if runs_at_once(current_app):
        run_at_once(current_app, func, args)
        return None
    config = current_app.config
    intervals = config["JOB_RETRY_INTERVALS"]
    return job_queue().enqueue_call(
        func,
        args=args,
        timeout=config["JOB_TIMEOUT"],
        result_ttl=config["JOB_RESULT_TTL"],
        failure_ttl=config["JOB_FAILURE_TTL"],
        retry=Retry(max=len(intervals), interval=intervals),
        # Shown in the worker's log instead of the call with its arguments (addresses).
        description=f"{func.__module__}.{func.__qualname__}",
    )


def run_at_once(app: Flask, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Call ``func`` with ``args`` as a worker would receive them, here and now.

    A failure is never silent: the test suite sees the exception; a
    developer sees it in the log with its traceback, while the page that
    queued the job still answers, as it would with a worker.
    """
    arguments = json.loads(json.dumps(args))  # TypeError now for what JSON cannot carry
    try:
        func(*arguments)
    except Exception:
        if app.testing:
            raise
        app.logger.exception(
            "Job %s.%s failed (it ran at once, without a queue: it will not be retried)",
            func.__module__,
            func.__qualname__,
        )


def job_counts(queue: Queue) -> dict[str, int]:
    """How many jobs are waiting, running, waiting to be retried, waiting on others, failed.

    The registries are counted with ``cleanup=False``: their default
    clean-up moves expired entries around, and counting must change nothing.
    """
    return {
        "queued": queue.count,
        "running": StartedJobRegistry(queue=queue).get_job_count(cleanup=False),
        "scheduled": ScheduledJobRegistry(queue=queue).get_job_count(cleanup=False),
        "deferred": DeferredJobRegistry(queue=queue).get_job_count(cleanup=False),
        "failed": FailedJobRegistry(queue=queue).get_job_count(cleanup=False),
    }
