"""RQ's forking ``Worker``, running each job inside the Flask app.

RQ forks a "work horse" process per job. Two things must happen there that
RQ has no public hook for:

* The horse inherits the parent's pooled database connections (a socket
  shared by two processes corrupts both sides' conversations), so the
  child drops them without closing them (``engine.dispose(close=False)``)
  and opens its own.
* A job uses the app (``current_app``, ``db.session``, templates), so it
  runs inside an app context, one per job, torn down (and the database
  session removed) when the job ends.

RQ's ``SimpleWorker`` (no fork) would need neither, but a job that hangs
(a query stuck on a lock) then cannot be stopped at its timeout: only a
separate process can be killed.

Relies on (checked by ``tests/test_compat.py``): ``Worker.main_work_horse(job,
queue)``, which runs in the forked child, and ``Worker.perform_job(job,
queue, execution)`` (RQ 3; RQ 2 had no ``execution``), which runs one job.
"""

from typing import Any

from flask import Flask
from rq import Worker
from rq.job import Job
from rq.queue import Queue

# The methods this module overrides, for tests/test_compat.py.
RELIES_ON = ((Worker, "main_work_horse"), (Worker, "perform_job"))


class AppContextJobs:
    """Mixed into an RQ worker class: each job runs in ``app``'s context."""

    app: Flask

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        """In the forked child: forget the parent's database connections, then work."""
        # Flask-SQLAlchemy keeps itself in app.extensions: this module, below the
        # extension objects (pyproject.toml's import contracts), imports none of them.
        sqlalchemy = self.app.extensions["sqlalchemy"]
        with self.app.app_context():
            for engine in sqlalchemy.engines.values():
                engine.dispose(close=False)  # the parent's sockets are not ours to use
        super().main_work_horse(job, queue)  # type: ignore[misc]

    def perform_job(self, *args: Any, **kwargs: Any) -> bool:
        """Run one job inside a fresh app context."""
        with self.app.app_context():
            return super().perform_job(*args, **kwargs)  # type: ignore[misc]


class AppWorker(AppContextJobs, Worker):
    """The worker ``flask worker`` runs: a work horse (fork) per job, in the app's context."""

    def __init__(self, app: Flask, *args: Any, **kwargs: Any) -> None:
        self.app = app
        super().__init__(*args, **kwargs)
