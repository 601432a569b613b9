"""The user list: newest first, 50 a page, searched by a literal part of the email."""

import re
from datetime import timedelta

import pytest

from app.auth.models import User
from app.extensions import db
from app.infrastructure.database import utcnow

LISTED = re.compile(r'<tr class="admin-user">\s*<td><a href="/admin/users/\d+">([^<]+)</a>')


def listed(response):
    assert response.status_code == 200
    return LISTED.findall(response.get_data(as_text=True))


def add_users(app, *emails):
    """Users made directly, oldest first (hashing a password each would be slow)."""
    start = utcnow() - timedelta(days=1)
    with app.app_context():
        for number, email in enumerate(emails):
            created = start + timedelta(seconds=number)
            db.session.add(User(email=email, password_hash="x", created_at=created))
        db.session.commit()


def test_users_are_listed_newest_first_with_their_state(app, admin_browser):
    add_users(app, "old@example.com", "new@example.com")
    text = admin_browser.get("/admin/").get_data(as_text=True)
    assert listed(admin_browser.get("/admin/")) == [
        "root@example.com",
        "new@example.com",
        "old@example.com",
    ]
    assert "Last login" in text and "Administrator" in text and "Disabled" in text


def test_fifty_users_a_page_and_a_page_past_the_end_shows_none(app, admin_browser):
    add_users(app, *(f"user{number:02}@example.com" for number in range(50)))
    assert len(listed(admin_browser.get("/admin/"))) == 50
    assert listed(admin_browser.get("/admin/?page=2")) == ["user00@example.com"]
    assert listed(admin_browser.get("/admin/?page=3")) == []


def test_the_search_keeps_emails_containing_the_text_in_any_case(app, admin_browser):
    add_users(app, "ada@example.com", "grace@example.org")
    assert listed(admin_browser.get("/admin/?q=EXAMPLE.ORG")) == ["grace@example.org"]


def test_percent_and_underscore_are_literal_in_the_search(app, admin_browser):
    add_users(app, "a_b@example.com", "axb@example.com", "100%@example.com", "1000@example.com")
    assert listed(admin_browser.get("/admin/?q=a_b")) == ["a_b@example.com"]
    assert listed(admin_browser.get("/admin/?q=%25")) == ["100%@example.com"]
    assert listed(admin_browser.get("/admin/?q=%25%25")) == []


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", " 1", "²"])
def test_a_bad_page_is_a_400_page(admin_browser, page):
    assert admin_browser.get("/admin/", query_string={"page": page}).status_code == 400
    assert admin_browser.get("/admin/audit", query_string={"page": page}).status_code == 400


def test_a_page_too_far_to_count_is_just_past_the_end(admin_browser):
    assert listed(admin_browser.get("/admin/?page=" + "9" * 40)) == []
    assert admin_browser.get("/admin/audit?page=" + "9" * 40).status_code == 200


@pytest.mark.parametrize("query", ["\x00", "x" * 5000, "'; DROP TABLE users; --", "\\"])
def test_a_hostile_search_finds_nothing_and_never_fails(admin_browser, query):
    assert listed(admin_browser.get("/admin/", query_string={"q": query})) == []


def test_a_missing_user_is_a_404(admin_browser):
    assert admin_browser.get("/admin/users/999999").status_code == 404
