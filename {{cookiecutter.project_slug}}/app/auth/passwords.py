"""Password hashing, a bounded number of hashes at a time in each process.

One scrypt hash at the default cost (``scrypt:32768:8:1``) takes 32 MiB of
memory while it runs, for a known email or an unknown one alike. A gunicorn
worker serves up to ``GUNICORN_THREADS`` requests at once, so a burst of
logins could take 32 MiB per thread, gigabytes for a few hundred threads,
and each would hold a pooled database connection while it hashed. So each
process hashes at most ``PASSWORD_HASH_CONCURRENCY`` passwords at once (2 by
default: 64 MiB a worker); a request finding every slot taken waits for one,
as it would for a CPU core. The hash keeps its full cost, which is what makes
a stolen hash expensive to crack: memory is bounded by making requests wait,
never by weakening the hash.

Callers that query the database for the hash take the slot *before* the
query (``hashing_slot`` as a context manager, re-entrant in one thread), so
a request waiting for a slot holds no database connection, and the number
of requests holding one while they hash is at most the number of slots.
"""

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from flask import Flask, current_app
from werkzeug.security import check_password_hash, generate_password_hash

EXTENSION = "password_hashing"


class HashingSlots:
    """A semaphore of ``size`` slots that a thread already holding one passes through."""

    def __init__(self, size: int) -> None:
        self.size = size
        # Threads waiting for a slot now: a gauge of how far hashing lags behind.
        self.waiting = 0
        self._semaphore = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._held = threading.local()

    def _acquire(self) -> None:
        if self._semaphore.acquire(blocking=False):
            return
        with self._lock:
            self.waiting += 1
        try:
            self._semaphore.acquire()
        finally:
            with self._lock:
                self.waiting -= 1

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot (waiting for it) for the block; nested blocks share it."""
        depth = getattr(self._held, "depth", 0)
        if depth == 0:
            self._acquire()
        self._held.depth = depth + 1
        try:
            yield
        finally:
            self._held.depth = depth
            if depth == 0:
                self._semaphore.release()


def hashing_slot() -> AbstractContextManager[None]:
    """This process's slot for the current app: ``with hashing_slot(): ...``."""
    slots: HashingSlots = current_app.extensions[EXTENSION]
    return slots.slot()


def hash_password(password: str) -> str:
    """A new hash of ``password`` with the configured method, in a hashing slot."""
    with hashing_slot():
        return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str, password: str) -> bool:
    """Does ``password`` match ``password_hash``? Checked in a hashing slot."""
    with hashing_slot():
        return check_password_hash(password_hash, password)


def init_app(app: Flask) -> None:
    """Give the app its slots: ``PASSWORD_HASH_CONCURRENCY`` of them."""
    app.extensions[EXTENSION] = HashingSlots(int(app.config["PASSWORD_HASH_CONCURRENCY"]))
