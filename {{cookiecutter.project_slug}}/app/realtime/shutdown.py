"""Closing every socket when the server stops a worker.

gunicorn stops a worker with SIGTERM and then waits, up to its graceful
timeout, for the requests in flight; an open socket is one, and would hold
the worker (and a deploy) for the whole timeout. ``gunicorn.conf.py`` calls
``close_sockets_on_sigterm`` in each worker: SIGTERM then closes the
worker's sockets with 1001 ("going away", so clients reconnect, to another
worker) before gunicorn's own handler runs.
"""

import os
import signal
from types import FrameType
from typing import Any

from app.realtime.hub import stop_every_hub


def close_sockets_on_sigterm() -> None:
    """Make SIGTERM close this process's sockets first, then do what it did before."""
    previous: Any = signal.getsignal(signal.SIGTERM)

    def close_sockets_then_stop(signum: int, frame: FrameType | None) -> None:
        stop_every_hub()
        if callable(previous):
            previous(signum, frame)
        else:  # the default action: end the process
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, close_sockets_then_stop)
