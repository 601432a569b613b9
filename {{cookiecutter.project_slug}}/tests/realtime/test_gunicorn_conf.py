"""gunicorn.conf.py with live updates: threads for the sockets, and enough left for pages."""

import runpy
from types import SimpleNamespace

import pytest

import config
from app.realtime import shutdown


def read_conf(monkeypatch, **variables):
    for name in ("GUNICORN_THREADS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(config.PROJECT_ROOT / "gunicorn.conf.py"))


def arbiter(threads):
    """gunicorn's master as on_starting sees it: one worker, on a Unix socket (no address)."""
    return SimpleNamespace(
        cfg=SimpleNamespace(threads=threads, bind=["unix:/run/app.sock"]), num_workers=1
    )


def test_workers_are_threaded_with_128_threads(monkeypatch):
    conf = read_conf(monkeypatch)

    assert conf["worker_class"] == "gthread"
    assert conf["threads"] == 128


def test_the_socket_cap_leaves_16_threads_for_pages(monkeypatch):
    conf = read_conf(monkeypatch)

    assert conf["on_starting"](arbiter(128)) is None
    with pytest.raises(SystemExit, match="REALTIME_MAX_SOCKETS_PER_PROCESS"):
        conf["on_starting"](arbiter(64))


def test_each_worker_makes_sigterm_close_its_sockets(monkeypatch):
    calls = []
    monkeypatch.setattr(shutdown, "close_sockets_on_sigterm", lambda: calls.append(True))

    read_conf(monkeypatch)["post_worker_init"](SimpleNamespace())

    assert calls == [True]
