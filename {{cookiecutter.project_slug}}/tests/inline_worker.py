"""RQ's worker that runs jobs in the test's own process, with the app's job mixin.

A job's time limit is kept by a timer thread (RQ's ``TimerDeathPenalty``),
not by ``SIGALRM`` as RQ does by default: pytest-timeout's limit on the test
is a ``SIGALRM`` too, which RQ's would cancel when the job ends, and a test
hanging after that would never time out.
"""

from rq import SimpleWorker
from rq.timeouts import TimerDeathPenalty

from app.compat.rq import AppContextJobs


class InlineWorker(AppContextJobs, SimpleWorker):
    """The app's job mixin on RQ's worker that runs jobs without forking."""

    death_penalty_class = TimerDeathPenalty

    def __init__(self, app, *args, **kwargs):
        self.app = app
        super().__init__(*args, **kwargs)
