"""At most PASSWORD_HASH_CONCURRENCY passwords are hashed at once in one process.

Each scrypt hash takes 32 MiB while it runs (at the default cost): a burst of
logins must wait for a slot rather than take memory per thread
(app/auth/passwords.py). These tests count hashes, whatever they cost.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.auth import passwords
from tests.conftest import CSRF_TOKEN, EMAIL

BOUND = 2
BURST = 8
# Seconds a hash in progress waits for the rest of the burst: a guard against a hang only.
PATIENCE = 30


class HashCounter:
    """Counts password checks in progress; each holds until the burst has shown its shape.

    A check goes on once more checks than the bound run at once (the bound is
    broken: no need to wait further), or once every request of the burst is
    either hashing, waiting for a slot, or answered. So the most checks seen
    at once is the true bound, whatever the speed of the machine.
    """

    def __init__(self, slots):
        self.slots = slots
        self.active = 0
        self.most = 0
        self.answered = 0
        self._lock = threading.Lock()
        self._real_check = passwords.check_password_hash

    def settled(self):
        return self.active > BOUND or self.active + self.slots.waiting + self.answered >= BURST

    def check(self, password_hash, password):
        with self._lock:
            self.active += 1
            self.most = max(self.most, self.active)
        deadline = time.monotonic() + PATIENCE
        while not self.settled() and time.monotonic() < deadline:
            time.sleep(0.005)
        try:
            return self._real_check(password_hash, password)
        finally:
            with self._lock:
                self.active -= 1

    def done(self):
        with self._lock:
            self.answered += 1


@pytest.fixture
def bounded(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_CONCURRENCY", BOUND)
    monkeypatch.setitem(app.extensions, passwords.EXTENSION, None)
    passwords.init_app(app)  # the app's own slots, sized from the config
    return app


def test_a_burst_of_logins_hashes_at_most_the_bound_at_once(bounded, user, monkeypatch):
    counter = HashCounter(bounded.extensions[passwords.EXTENSION])
    monkeypatch.setattr(passwords, "check_password_hash", counter.check)

    def failed_login(number):
        # Each from an address of its own: no rate limit in the way.
        browser = bounded.test_client()
        browser.environ_base["REMOTE_ADDR"] = f"192.0.2.{number + 1}"
        token = CSRF_TOKEN.search(browser.get("/auth/login").get_data(as_text=True)).group(1)
        email = EMAIL if number % 2 else f"nobody{number}@example.com"
        data = {"csrf_token": token, "email": email, "password": "not the password"}
        try:
            return browser.post("/auth/login", data=data).status_code
        finally:
            counter.done()

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        statuses = list(pool.map(failed_login, range(BURST)))

    assert statuses == [200] * BURST
    assert counter.most == BOUND


def is_free(slots):
    """Can another thread take a slot (within a few seconds)?"""
    taker = threading.Thread(target=lambda: slots.slot().__enter__())
    taker.start()
    taker.join(timeout=5)
    return not taker.is_alive()


def test_a_thread_holding_a_slot_takes_no_second_one():
    """Nested blocks (a login's check, then the upgrade of its hash) share one slot."""
    slots = passwords.HashingSlots(2)
    with slots.slot(), slots.slot():
        assert is_free(slots)  # the second of two slots: this thread holds only one


def test_a_slot_is_given_back_when_the_block_fails():
    slots = passwords.HashingSlots(1)
    with pytest.raises(RuntimeError), slots.slot():
        raise RuntimeError("hashing failed")
    assert is_free(slots)
