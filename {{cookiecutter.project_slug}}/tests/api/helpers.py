"""Helpers shared by the API tests: what every problem-details response looks like,
and quick ways to read and age the tokens in the database."""

from datetime import timedelta

from sqlalchemy import select

from app.api.models import ApiToken, hash_token
from app.extensions import db
from app.infrastructure.database import utcnow

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def is_problem(response, status):
    """True when ``response`` is RFC 9457 problem details for ``status``."""
    return (
        response.status_code == status
        and response.mimetype == "application/problem+json"
        and response.json.keys() >= PROBLEM_KEYS
        and response.json["status"] == status
        and all(isinstance(response.json[key], str) for key in PROBLEM_KEYS - {"status"})
    )


def field_errors(response):
    """The ``errors`` of a 422, after checking that it is one."""
    assert is_problem(response, 422), response.get_data(as_text=True)
    return response.json["errors"]


def asks_for_a_bearer_token(response):
    """A 401 problem whose challenge asks for a bearer token (RFC 6750)."""
    return is_problem(response, 401) and response.headers["WWW-Authenticate"].startswith("Bearer")


def stored_tokens(app, user_id):
    """Every ``ApiToken`` row of ``user_id``, detached from the session."""
    with app.app_context():
        tokens = list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)))
        db.session.expunge_all()
        return tokens


def expire_token(app, plain, seconds_ago=1):
    """Move the token's expiry into the past."""
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
        token.expires_at = utcnow() - timedelta(seconds=seconds_ago)
        db.session.commit()
