"""Background jobs: queued in Redis with retries, or run at once without a queue.

The worker itself (a forked process per job) runs against a real Redis in
the template's own tests; here the queue is the tests' Redis emulator and
jobs are run by a worker that does not fork, with the app's job mixin.
"""

import json
import logging
import signal
import zlib

import pytest
from flask import current_app
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from app.compat.rq import AppWorker
from app.infrastructure import job_commands, jobs
from app.infrastructure.jobs import enqueue, job_counts, job_queue, runs_at_once
from tests.inline_worker import InlineWorker

called = []


def record(*args):
    """A job: remembers how it was called, and whether it ran inside the app."""
    called.append((current_app.name, *args))


def fail():
    """A job that always fails."""
    raise RuntimeError("the mail server said no")


@pytest.fixture(autouse=True)
def no_calls():
    called.clear()


@pytest.fixture
def queued(app):
    """The app with a queue (the tests' Redis emulator) instead of jobs run at once."""
    app.config.update(JOBS_RUN_AT_ONCE=False, REDIS_URL="redis://emulated:6379/0")
    return app


def test_the_tests_run_jobs_at_once(app):
    assert runs_at_once(app)


def test_development_without_redis_runs_jobs_at_once(development_app):
    assert runs_at_once(development_app)


def test_a_job_run_at_once_gets_its_arguments_as_a_worker_would(app):
    with app.app_context():
        assert enqueue(record, 1, ("a", "tuple")) is None
    assert called == [(app.name, 1, ["a", "tuple"])]  # JSON has lists, not tuples


def test_a_job_whose_arguments_a_queue_would_refuse_fails_at_once(app):
    with app.app_context(), pytest.raises(TypeError):
        enqueue(record, object())
    assert called == []


def test_a_failing_job_run_at_once_fails_the_test_that_queued_it(app):
    with app.app_context(), pytest.raises(RuntimeError, match="said no"):
        enqueue(fail)


def test_a_failing_job_run_at_once_in_development_is_logged_with_its_traceback(
    development_app, caplog
):
    with development_app.app_context(), caplog.at_level(logging.ERROR, logger="app"):
        enqueue(fail)
    (record_,) = caplog.records
    assert "tests.test_jobs.fail failed" in record_.getMessage()
    assert "will not be retried" in record_.getMessage()
    assert record_.exc_info[0] is RuntimeError


def test_a_queued_job_waits_in_redis_with_its_retries_and_limits(queued):
    with queued.app_context():
        job = enqueue(record, 7)
        queue = job_queue()
        assert queue.count == 1
    assert called == []
    config = queued.config
    assert job.func_name == "tests.test_jobs.record"
    assert list(job.args) == [7]
    assert job.retries_left == len(config["JOB_RETRY_INTERVALS"])
    assert job.retry_intervals == config["JOB_RETRY_INTERVALS"]
    assert job.timeout == config["JOB_TIMEOUT"]
    assert job.result_ttl == config["JOB_RESULT_TTL"] > 0  # never 0 (RQ runs such jobs again)
    assert job.failure_ttl == config["JOB_FAILURE_TTL"]
    assert job.description == "tests.test_jobs.record"  # no addresses in the worker's log


def test_queued_jobs_are_stored_as_json_never_pickle(queued, redis_client):
    with queued.app_context():
        job = enqueue(record, "ada@example.com")
    stored = zlib.decompress(redis_client.hget(f"rq:job:{job.id}", "data"))  # RQ compresses it
    assert json.loads(stored) == ["tests.test_jobs.record", None, ["ada@example.com"], {}]


def test_the_worker_runs_each_job_in_the_app(queued, redis_client):
    with queued.app_context():
        enqueue(record, "hello")
        queue = job_queue()
    InlineWorker(queued, [queue], connection=redis_client, serializer=jobs.SERIALIZER).work(
        burst=True
    )
    assert called == [(queued.name, "hello")]


def test_running_a_job_leaves_the_test_time_limit_armed(queued, redis_client):
    """pytest-timeout's limit on a test is a SIGALRM timer (pyproject.toml): a job
    run by the tests' worker must not cancel it (RQ's default job limit would)."""
    with queued.app_context():
        enqueue(record, "hello")
        queue = job_queue()
    InlineWorker(queued, [queue], connection=redis_client, serializer=jobs.SERIALIZER).work(
        burst=True
    )
    seconds_left, _interval = signal.getitimer(signal.ITIMER_REAL)
    assert called == [(queued.name, "hello")]
    assert seconds_left > 0


def test_a_failed_job_is_scheduled_for_a_retry_then_kept_as_failed(queued, redis_client):
    queued.config["JOB_RETRY_INTERVALS"] = [30]
    with queued.app_context():
        job = enqueue(fail)
        queue = job_queue()
        worker = InlineWorker(queued, [queue], connection=redis_client, serializer=jobs.SERIALIZER)
        worker.work(burst=True)
        assert job_counts(queue)["scheduled"] == 1  # waiting 30 s for its retry
        # What the worker's scheduler does once the 30 s are over:
        ScheduledJobRegistry(queue=queue).remove(job)
        queue.enqueue_job(Job.fetch(job.id, connection=redis_client, serializer=jobs.SERIALIZER))
        worker.work(burst=True)
        counts = job_counts(queue)
    assert counts == {"queued": 0, "running": 0, "scheduled": 0, "deferred": 0, "failed": 1}


def test_flask_jobs_counts_the_queue(queued, runner):
    with queued.app_context():
        enqueue(record, 1)
        enqueue(record, 2)
    result = runner.invoke(args=["jobs"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0].split() == ["queued", "2"]
    assert [line.split()[0] for line in result.output.splitlines()] == list(jobs.COUNTED)
    as_json = runner.invoke(args=["jobs", "--json"])
    assert json.loads(as_json.output)["queued"] == 2


@pytest.mark.parametrize("command", ["worker", "jobs"])
def test_the_commands_need_redis(app, runner, command):
    app.config["REDIS_URL"] = None  # as in development without Redis (TEST_REDIS_URL may be set)
    result = runner.invoke(args=[command])
    assert result.exit_code == 1
    assert "REDIS_URL is not set: jobs run at once" in result.output


def test_the_workers_connection_waits_for_jobs_without_a_read_timeout(queued):
    """The worker blocks on the queue; the app's one-second read timeout would break that."""
    with queued.app_context():
        options = job_commands.worker_connection().connection_pool.connection_kwargs
    assert options.get("socket_timeout") is None
    assert options["socket_connect_timeout"] == queued.config["REDIS_CONNECT_TIMEOUT"]


@pytest.fixture
def rq_logger():
    """RQ's logger, as it was before the test."""
    logger = logging.getLogger("rq")
    handlers, propagate, level = logger.handlers[:], logger.propagate, logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.propagate, logger.level = propagate, level


def test_flask_worker_runs_the_forking_worker_with_its_scheduler(
    queued, runner, redis_client, monkeypatch, rq_logger
):
    started = []

    def work(worker, **options):
        started.append((worker, options))
        return True

    monkeypatch.setattr(AppWorker, "work", work)
    monkeypatch.setattr(job_commands, "worker_connection", lambda: redis_client)
    result = runner.invoke(args=["worker", "--burst"])

    assert result.exit_code == 0, result.output
    [(worker, options)] = started
    assert options == {"burst": True, "with_scheduler": True, "logging_level": "INFO"}
    assert worker.app is queued
    assert [queue.name for queue in worker.queues] == [queued.config["JOB_QUEUE"]]
    assert worker.serializer is jobs.SERIALIZER
    assert worker.worker_ttl == queued.config["WORKER_TTL"]
    assert worker.job_monitoring_interval == queued.config["WORKER_JOB_MONITORING_INTERVAL"]
    assert worker.maintenance_interval == queued.config["WORKER_MAINTENANCE_INTERVAL"]
    # RQ's log lines go through the app's handler (JSON in production), not its own.
    assert rq_logger.handlers[-1] is job_commands.default_handler
    assert not rq_logger.propagate
