"""Each pytest-xdist worker's own databases, derived from TEST_DATABASE_URL and TEST_REDIS_URL,
and how tests are handed out to the workers."""

import pytest

from tests.parallel import (
    TESTS_PER_HANDOUT,
    Handouts,
    database_url_for,
    redis_url_for,
    worker_number,
)


def test_workers_are_numbered_from_their_names():
    assert [worker_number(name) for name in ("gw0", "gw1", "gw12")] == [0, 1, 12]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://postgres:secret@db:5432/forge_test",
            "postgresql://postgres:secret@db:5432/forge_test_gw1",
        ),
        ("postgres://db/forge_test", "postgres://db/forge_test_gw1"),
        ("sqlite:////tmp/tests.db", "sqlite:////tmp/tests_gw1.db"),
        ("sqlite:///tests", "sqlite:///tests_gw1"),
    ],
)
def test_a_worker_gets_a_database_named_after_it(url, expected):
    assert database_url_for(url, "gw1") == expected


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_the_workers_own_already(url):
    assert database_url_for(url, "gw1") == url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://cache:6379/0", "redis://cache:6379/2"),
        ("redis://cache:6379", "redis://cache:6379/2"),
        ("redis://:secret@cache:6379/5", "redis://:secret@cache:6379/7"),
    ],
)
def test_a_worker_gets_the_redis_database_its_number_above(url, expected):
    assert redis_url_for(url, "gw2") == expected


def test_a_worker_past_the_last_redis_database_is_refused():
    with pytest.raises(RuntimeError, match="Redis database 16"):
        redis_url_for("redis://cache:6379/15", "gw1")


def test_tests_are_handed_out_in_runs_and_the_browser_tests_together():
    handout_of = Handouts("tests/browser/")
    tests = [f"tests/test_a.py::test_{number}" for number in range(TESTS_PER_HANDOUT + 1)]
    browser_tests = ["tests/browser/test_b.py::test_one", "tests/browser/test_c.py::test_two"]

    names = [handout_of(nodeid) for nodeid in [*tests[:2], *browser_tests, *tests[2:]]]
    again = [handout_of(nodeid) for nodeid in [*browser_tests, *tests]]

    assert again == names[2:4] + names[:2] + names[4:]  # the same answer when asked again
    assert set(names[2:4]) == {"tests/browser/"}
    first_run, last = again[2], again[-1]
    assert again[2:-1] == [first_run] * TESTS_PER_HANDOUT
    assert last not in (first_run, "tests/browser/")
