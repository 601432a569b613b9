"""Requests sent all at once, each from a thread of its own, and held where it matters.

A burst is only a burst if its requests are in flight together: threads
alone may run one after another on a busy machine. So the password check
(``app.auth.passwords.check_password_hash``, where every login, token request
and current-password form ends up) is replaced by a ``Gate`` that holds each
request arriving there until every request of the burst has either arrived
at the check too or been answered without reaching it (a 429). Then they
go on one at a time: every attempt has been taken (or refused) by then, so
whatever a limit lets through is known to have been let through while the
others were still in flight; and what a request does after the check (a
login's commit) never interleaves with another's on SQLite's in-memory
database, which is one connection shared by every thread.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from app.auth import passwords

# Seconds a held request waits for the rest of its burst before going on anyway:
# only a guard against a hang, never reached when the burst behaves.
PATIENCE = 30


class Gate:
    """Holds requests at the password check until all ``size`` have arrived or been answered."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.arrived = 0
        self.checked = 0
        self._condition = threading.Condition()
        self._after_check = threading.Lock()
        self._local = threading.local()

    def arrive(self) -> None:
        """One more request of the burst is at the check, or has been answered without it."""
        with self._condition:
            self.arrived += 1
            self._condition.notify_all()

    def hold(self) -> None:
        """At the check: wait for the rest of the burst, then for the requests ahead to finish."""
        self._local.at_check = True
        self.arrive()
        with self._condition:
            self.checked += 1
            self._condition.wait_for(lambda: self.arrived >= self.size, timeout=PATIENCE)
        self._local.going_on = self._after_check.acquire(timeout=PATIENCE)

    def answered(self) -> None:
        """A request's answer came; if it never reached the check, it has arrived now."""
        if not getattr(self._local, "at_check", False):
            self.arrive()
        elif self._local.going_on:
            self._after_check.release()
        self._local.at_check = self._local.going_on = False


def send_at_once(monkeypatch, senders: list[Callable[[], int]]) -> list[int]:
    """Call every sender in a thread of its own, the password checks held by a ``Gate``.

    Returns the status codes, sorted. The app must allow as many hashes at
    once as there are senders (``PASSWORD_HASH_CONCURRENCY``), or held
    requests would keep the others from their check.
    """
    gate = Gate(len(senders))
    real_check = passwords.check_password_hash

    def held_check(password_hash: str, password: str) -> bool:
        gate.hold()
        return real_check(password_hash, password)

    monkeypatch.setattr(passwords, "check_password_hash", held_check)

    def run(sender: Callable[[], int]) -> int:
        try:
            return sender()
        finally:
            gate.answered()

    with ThreadPoolExecutor(max_workers=len(senders)) as pool:
        statuses = sorted(pool.map(run, senders))
    monkeypatch.setattr(passwords, "check_password_hash", real_check)
    return statuses
