"""Helpers shared by the API tests: what every problem-details response looks like,
and quick ways to put notes and tokens in the database."""

from datetime import timedelta

from app.models import ApiToken, Note
from sqlalchemy import select

from app.api.models import hash_token
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


def add_notes(app, owner_id, count, title="Note"):
    """Save ``count`` notes for ``owner_id`` directly; return their ids, oldest first."""
    with app.app_context():
        notes = [Note(owner_id=owner_id, title=f"{title} {n}") for n in range(1, count + 1)]
        for note in notes:
            db.session.add(note)
            db.session.flush()  # one at a time, so ids follow creation order
        db.session.commit()
        return [note.id for note in notes]


def stored_note(app, note_id):
    """The note as the database holds it (None once deleted), detached from the session."""
    with app.app_context():
        note = db.session.get(Note, note_id)
        if note is not None:
            db.session.expunge(note)
        return note


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


def asks_for_a_bearer_token(response):
    """A 401 problem whose challenge asks for a bearer token (RFC 6750)."""
    return is_problem(response, 401) and response.headers["WWW-Authenticate"].startswith("Bearer")
