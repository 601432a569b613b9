"""The testing apps tests share (``TestingApps`` in conftest.py): reused only when unchanged."""

import pytest

from app.auth.guard import public
from tests.conftest import TestingApps, new_testing_app


@pytest.fixture
def apps():
    kept = TestingApps()
    yield kept
    kept.close()


def test_an_unchanged_app_is_reused_with_its_settings_and_extensions_put_back(apps):
    first = apps.take("plain", None)
    first.app.config["MAX_CONTENT_LENGTH"] = 1
    first.app.extensions["probe"] = object()
    apps.give_back("plain", first)

    again = apps.take("plain", None)

    assert again.app is first.app
    assert again.app.config["MAX_CONTENT_LENGTH"] != 1
    assert "probe" not in again.app.extensions


def test_an_app_that_served_a_request_still_takes_new_views_in_the_next_test(apps):
    kept = apps.take("plain", None)
    kept.app.test_client().get("/auth/login")
    apps.give_back("plain", kept)

    again = apps.take("plain", None)
    again.app.add_url_rule("/probe", "probe", public(lambda: "probe"))

    assert again.app.test_client().get("/probe").get_data(as_text=True) == "probe"


def test_an_app_given_a_view_is_not_reused(apps):
    kept = apps.take("plain", None)
    kept.app.add_url_rule("/probe", "probe", public(lambda: "probe"))
    apps.give_back("plain", kept)

    again = apps.take("plain", None)

    assert again.app is not kept.app
    assert again.app.test_client().get("/probe").status_code == 404


def test_an_app_is_not_reused_once_another_app_took_the_rate_limiter(apps):
    kept = apps.take("plain", None)
    apps.give_back("plain", kept)
    new_testing_app()  # Flask-Limiter's one object now counts in this app's storage

    assert apps.take("plain", None).app is not kept.app


def test_each_variant_is_built_with_its_own_views(apps):
    def mount(app):
        app.add_url_rule("/probe", "probe", public(lambda: "probe"))

    plain = apps.take("plain", None)
    mounted = apps.take("mounted", mount)

    assert mounted.app.test_client().get("/probe").status_code == 200
    assert plain.app.test_client().get("/probe").status_code == 404
