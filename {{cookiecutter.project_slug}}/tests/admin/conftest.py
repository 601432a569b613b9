"""Fixtures of the admin tests: an administrator, logged in, beside ``user`` (not one)."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.auth.accounts import create_account
from app.auth.audit import AuditEvent
from app.auth.models import User
from app.extensions import db
from tests.conftest import CSRF_TOKEN, AuthActions

ADMIN_EMAIL = "root@example.com"
ADMIN_PASSWORD = "admin horse battery staple"
SECOND_ADMIN_EMAIL = "deputy@example.com"


def make_admin(app, email, password=ADMIN_PASSWORD):
    """An administrator's account (made directly: no audit row)."""
    with app.app_context():
        account = create_account(email, password)
        account.is_admin = True
        db.session.commit()
        return SimpleNamespace(id=account.id, email=account.email, password=password)


@pytest.fixture
def admin(app):
    """The only administrator: ``ADMIN_EMAIL``."""
    return make_admin(app, ADMIN_EMAIL)


@pytest.fixture
def admin_browser(app, admin):
    """A browser logged in as ``admin``; ``.post(path, **data)`` sends a form with its token."""
    client = app.test_client()
    AuthActions(client).login(admin.email, admin.password)
    return AdminBrowser(client)


class AdminBrowser:
    """An administrator's browser: GETs, and POSTs carrying the CSRF token of its session."""

    def __init__(self, client):
        self.client = client

    def get(self, path, **options):
        return self.client.get(path, **options)

    def token(self):
        return CSRF_TOKEN.search(self.client.get("/admin/").get_data(as_text=True)).group(1)

    def post(self, path, **data):
        return self.client.post(path, data={"csrf_token": self.token(), **data})


def account(app, user_id):
    """The user row with this id (None once deleted), read afresh."""
    with app.app_context():
        return db.session.get(User, user_id)


def audit_rows(app):
    """Every audit row, oldest first, as (actor, action, target_email, target_user_id)."""
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.actor, e.action, e.target_email, e.target_user_id) for e in events]
