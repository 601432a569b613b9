"""``python -m bench.login_burst``: memory of a burst of failed logins, served by gunicorn.

Starts the app as ``make serve`` does (production config, ``gunicorn.conf.py``,
the environment's ``DATABASE_URL`` and ``REDIS_URL``), then sends 64 failed
logins at once, each from an address of its own (``X-Forwarded-For``, believed
because the client is 127.0.0.1, in ``FORWARDED_ALLOW_IPS`` by default), half
for an existing account and half for unknown emails. It prints one JSON line:
the answers by status, the seconds the burst took, and the resident memory
(RSS, from /proc) of gunicorn's master and workers before, at the peak
(sampled every 20 ms) and after. The contract: at most 256 MiB more at the
peak, and no 5xx. Compare ``FLASK_PASSWORD_HASH_CONCURRENCY=1000`` (no bound).

It uses (and creates, if missing) the account ``burst@example.com`` and
counts failed logins in REDIS_URL's Redis: run it against throwaway databases.
"""

import contextlib
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.servers import (
    APP,
    HOST,
    ServerError,
    UsageError,
    close_database,
    migrate,
    production_app,
    server_environment,
    serving,
)

LOGINS = 64
EMAIL = "burst@example.com"
PASSWORD = "the right password, never sent"  # noqa: S105  (a throwaway account's)
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RSS = re.compile(r"VmRSS:\s+(\d+) kB")


def make_account(app):
    """The account half of the logins name (made once, in this process)."""
    from app.auth.accounts import AccountError, create_account

    with app.app_context(), contextlib.suppress(AccountError):  # made by an earlier run
        create_account(EMAIL, PASSWORD)


def processes(master_pid):
    """gunicorn's master and its workers."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [master_pid, *map(int, children.read_text().split())]


def rss_kib(master_pid):
    total = 0
    for pid in processes(master_pid):
        with contextlib.suppress(FileNotFoundError):  # a worker that just exited
            total += int(RSS.search(Path(f"/proc/{pid}/status").read_text()).group(1))
    return total


def send(port, method, path, body=None, headers=None):
    """One request on a connection of its own: (status, Set-Cookie, body text)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie"), response.read().decode()
    finally:
        connection.close()


def address(number):
    return f"10.9.{number // 250}.{number % 250 + 1}"


def login_forms(port):
    """A session and CSRF token for each login, fetched one after another."""
    forms = []
    for number in range(LOGINS):
        _status, cookie, page = send(
            port, "GET", "/auth/login", headers={"X-Forwarded-For": address(number)}
        )
        forms.append((cookie.split(";")[0], CSRF_TOKEN.search(page).group(1)))
    return forms


def failed_login(port, form, number, email):
    cookie, token = form
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": "wrong"})
    headers = {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": address(number),
    }
    return send(port, "POST", "/auth/login", body, headers)[0]


def burst(port, master_pid):
    forms = login_forms(port)
    # Warm each worker up (imports, the hash of unknown emails) before measuring.
    for number in range(4):
        failed_login(port, forms[number], LOGINS + number, "warm-up@example.com")
    time.sleep(1)
    before = peak = rss_kib(master_pid)
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_kib(master_pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = threading.Barrier(LOGINS)

    def one(number):
        email = EMAIL if number % 2 else f"nobody{number}@example.com"
        start.wait()
        return failed_login(port, forms[number], number, email)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=LOGINS) as pool:
        statuses = list(pool.map(one, range(LOGINS)))
    seconds = time.monotonic() - started
    time.sleep(1)
    done.set()
    sampler.join()
    after = rss_kib(master_pid)
    return {
        "processes": len(processes(master_pid)),
        "statuses": {str(code): statuses.count(code) for code in sorted(set(statuses))},
        "seconds": round(seconds, 1),
        "rss_mib": {"before": round(before / 1024), "peak": round(peak / 1024)},
        "rise_mib": {
            "peak": round((peak - before) / 1024),
            "after": round((after - before) / 1024),
        },
        "password_hash_concurrency": os.environ.get("FLASK_PASSWORD_HASH_CONCURRENCY", "default"),
    }


def main():
    try:
        app = production_app()
        env = server_environment()
        migrate(env)
        make_account(app)
        close_database(app)
        with serving("app", APP, env) as server:
            print(json.dumps(burst(server.port, server.process_group)))
    except (UsageError, ServerError) as error:
        print(f"login_burst: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
