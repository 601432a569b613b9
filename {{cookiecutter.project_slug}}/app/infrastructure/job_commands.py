"""``flask worker`` runs queued jobs; ``flask jobs`` counts them (both need REDIS_URL)."""

import json
import logging

import click
import redis
from flask import current_app
from flask.cli import with_appcontext
from flask.logging import default_handler

from app.compat.rq import AppWorker
from app.infrastructure.jobs import COUNTED, SERIALIZER, job_counts, job_queue


def require_redis() -> None:
    """Stop with a one-line explanation when there is no queue to work on."""
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException(
            "REDIS_URL is not set: jobs run at once in the process that queues them, "
            "so there is no queue to work on or count."
        )


def worker_connection() -> redis.Redis:
    """A Redis client of the worker's own, without the app's read timeout.

    The worker waits for the next job with a blocking command that may
    rightly stay silent for a long while; the app's one-second read
    timeout would end that wait with an error.
    """
    return redis.Redis.from_url(
        current_app.config["REDIS_URL"],
        socket_connect_timeout=current_app.config["REDIS_CONNECT_TIMEOUT"],
        health_check_interval=30,
    )


def log_like_the_app() -> None:
    """Send RQ's log lines through the app's handler (JSON in production, with secrets masked).

    Without a handler of its own, RQ would install one printing plain lines to stdout.
    """
    rq_logger = logging.getLogger("rq")
    rq_logger.addHandler(default_handler)
    rq_logger.setLevel(logging.INFO)
    rq_logger.propagate = False


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run queued jobs until stopped; SIGTERM lets the running job finish first."""
    require_redis()
    config = current_app.config
    connection = worker_connection()
    log_like_the_app()
    worker = AppWorker(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        [job_queue(connection)],
        connection=connection,
        serializer=SERIALIZER,
        job_monitoring_interval=config["WORKER_JOB_MONITORING_INTERVAL"],
        maintenance_interval=config["WORKER_MAINTENANCE_INTERVAL"],
        # An idle worker waits for a job for worker_ttl - 15 s, and only then
        # cleans up (retrying the jobs of a worker that died): keep it short.
        worker_ttl=config["WORKER_TTL"],
    )
    # The scheduler puts jobs waiting for a retry back in the queue when their time comes.
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


@click.command("jobs")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@with_appcontext
def jobs_command(as_json: bool) -> None:
    """Show how many jobs are queued, running, waiting to be retried and failed."""
    require_redis()
    counts = job_counts(job_queue())
    if as_json:
        click.echo(json.dumps(counts))
        return
    for name in COUNTED:
        click.echo(f"{name:<10} {counts[name]}")
