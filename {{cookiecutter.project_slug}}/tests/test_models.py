"""The User model and the UTC datetime column type."""

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from app.auth.models import User
from app.extensions import db
from app.infrastructure.database import UTCDateTime, utcnow
from config import BaseConfig
from config_checks import defaults_of

PASSWORD = "correct horse battery"


def add_user(email="ada@example.com", password=PASSWORD):
    user = User(email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def reloaded(user):
    """The user as read back from the database, not from the session's memory."""
    user_id = user.id
    db.session.expunge_all()
    return db.session.get(User, user_id)


def test_email_is_stored_in_lower_case(app):
    with app.app_context():
        user = reloaded(add_user("  Ada@Example.COM "))
        assert user.email == "ada@example.com"


def test_email_is_unique_in_any_letter_case(app):
    with app.app_context():
        add_user("ada@example.com")
        with pytest.raises(IntegrityError):
            add_user("ADA@EXAMPLE.COM")
        db.session.rollback()


def test_find_by_email_ignores_letter_case(app):
    with app.app_context():
        add_user("ada@example.com")
        assert User.find_by_email(" ADA@example.com").email == "ada@example.com"
        assert User.find_by_email("nobody@example.com") is None


def test_a_production_strength_hash_fits_the_column(app):
    """Werkzeug's scrypt hashes are 162 characters; a String(128) column would cut them."""
    app.config["PASSWORD_HASH_METHOD"] = defaults_of(BaseConfig)["PASSWORD_HASH_METHOD"]
    with app.app_context():
        user = add_user()
        assert len(user.password_hash) >= 162
        assert len(user.password_hash) <= User.__table__.c.password_hash.type.length
        stored = reloaded(user)
        method = defaults_of(BaseConfig)["PASSWORD_HASH_METHOD"]
        assert stored.password_hash.startswith(method + "$")
        assert stored.check_password(PASSWORD)


def test_the_password_itself_is_never_stored(app):
    with app.app_context():
        user = add_user()
        assert PASSWORD not in user.password_hash
        assert not user.check_password("Correct horse battery")


def test_created_at_is_now_as_an_aware_utc_datetime(app):
    with app.app_context():
        before = utcnow()
        created_at = reloaded(add_user()).created_at
        assert before <= created_at <= utcnow()
        assert created_at.utcoffset() == timedelta(0)


def test_created_at_is_computed_for_each_user(app, monkeypatch):
    """A default of ``datetime.now()`` (called once, at import) would give both the same time."""
    ticks = iter([datetime(2030, 1, 1, 9, 0, tzinfo=UTC), datetime(2030, 1, 2, 17, 30, tzinfo=UTC)])
    monkeypatch.setattr(
        "app.infrastructure.database.datetime", SimpleNamespace(now=lambda tz: next(ticks))
    )
    with app.app_context():
        first = add_user("ada@example.com").id
        second = add_user("grace@example.com").id
        db.session.expunge_all()
        assert db.session.get(User, first).created_at == datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
        assert db.session.get(User, second).created_at == datetime(2030, 1, 2, 17, 30, tzinfo=UTC)


def test_a_naive_datetime_is_refused(app):
    with app.app_context():
        user = add_user()
        user.last_login_at = datetime(2030, 1, 1, 12, 0)  # naive on purpose
        with pytest.raises(StatementError, match="naive datetime"):
            db.session.commit()
        db.session.rollback()


def test_an_aware_datetime_is_stored_in_utc_and_read_back_aware(app):
    paris_summer = timezone(timedelta(hours=2))
    with app.app_context():
        user = add_user()
        user.last_login_at = datetime(2030, 7, 1, 12, 0, tzinfo=paris_summer)
        db.session.commit()
        last_login_at = reloaded(user).last_login_at
        assert last_login_at == datetime(2030, 7, 1, 10, 0, tzinfo=UTC)
        assert last_login_at.utcoffset() == timedelta(0)


def test_an_empty_datetime_stays_empty(app):
    with app.app_context():
        assert reloaded(add_user()).last_login_at is None


@pytest.mark.parametrize(
    ("from_database", "expected"),
    [
        (datetime(2030, 1, 1, 12, 0), datetime(2030, 1, 1, 12, 0, tzinfo=UTC)),
        (
            datetime(2030, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=1))),
            datetime(2030, 1, 1, 12, 0, tzinfo=UTC),
        ),
        (None, None),
    ],
    ids=["naive-from-sqlite", "aware-from-postgresql", "null"],
)
def test_utc_datetime_reads_every_database_as_aware_utc(from_database, expected):
    value = UTCDateTime().process_result_value(from_database, dialect=None)
    assert value == expected
    if value is not None:
        assert value.tzinfo is UTC


def test_a_user_shows_its_id_and_email(app):
    with app.app_context():
        user = add_user()
        assert repr(user) == f"<User {user.id} ada@example.com>"
