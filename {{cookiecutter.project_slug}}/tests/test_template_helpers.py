"""Jinja filters and globals shared by every template."""

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from markupsafe import escape

from app.auth.models import User
from app.extensions import db
from app.web.template_helpers import (
    NAV_ITEMS_KEY,
    NavItem,
    format_date,
    format_datetime,
    nav_items,
    template_globals,
)

NEW_YEAR_2031 = datetime(2031, 1, 1, 0, 0, 30, tzinfo=UTC)


def test_the_datetime_filter_shows_utc_to_the_minute():
    assert format_datetime(datetime(2030, 1, 2, 3, 4, 59, tzinfo=UTC)) == "2030-01-02 03:04 UTC"


def test_the_datetime_filter_converts_other_time_zones_to_utc():
    tokyo = timezone(timedelta(hours=9))
    assert format_datetime(datetime(2030, 1, 2, 3, 4, tzinfo=tokyo)) == "2030-01-01 18:04 UTC"


def test_the_date_filter_shows_the_day():
    assert format_date(datetime(2030, 1, 2, 3, 4, tzinfo=UTC)) == "02 January 2030"


def test_the_date_filter_uses_the_utc_day():
    new_york = timezone(timedelta(hours=-5))
    assert format_date(datetime(2030, 1, 1, 22, 0, tzinfo=new_york)) == "02 January 2030"


def test_both_filters_show_nothing_for_none():
    assert format_datetime(None) == ""
    assert format_date(None) == ""


def test_the_filters_are_registered_by_name(app):
    assert app.jinja_env.filters["datetime"] is format_datetime
    assert app.jinja_env.filters["date"] is format_date


def test_the_globals_are_the_app_name_the_current_year_and_the_nav_items(app, monkeypatch):
    monkeypatch.setattr(
        "app.web.template_helpers.datetime", SimpleNamespace(now=lambda tz: NEW_YEAR_2031)
    )
    with app.test_request_context():
        assert template_globals() == {
            "app_name": app.config["APP_NAME"],
            "current_year": 2031,
            "nav_items": nav_items,
        }


def test_a_nav_item_is_shown_when_its_part_says(app, monkeypatch):
    items = [NavItem("shown.html", lambda: True), NavItem("hidden.html", lambda: False)]
    monkeypatch.setitem(app.extensions, NAV_ITEMS_KEY, items)
    with app.test_request_context():
        assert nav_items() == ["shown.html"]


def test_every_page_shows_the_app_name_and_year(app, client, monkeypatch):
    monkeypatch.setattr(
        "app.web.template_helpers.datetime", SimpleNamespace(now=lambda tz: NEW_YEAR_2031)
    )
    page = client.get("/").text
    assert f"&copy; 2031 {escape(app.config['APP_NAME'])}" in page
    assert f"<title>Home · {escape(app.config['APP_NAME'])}</title>" in page


def test_the_dashboard_shows_dates_through_the_filters(app, client, auth, user):
    auth.login()
    with app.app_context():
        stored = db.session.get(User, user.id)
        member_since = format_date(stored.created_at)
        last_login = format_datetime(stored.last_login_at)
    page = client.get("/dashboard").text
    assert f"<dd>{member_since}</dd>" in page
    assert f"<dd>{last_login}</dd>" in page
