"""Revoking every login of a user at once: after a password reset or change, or a deletion.

Every ``Login`` row of the user is deleted, so each of their sessions and
remember-me cookies is anonymous from its next request{% if cookiecutter.use_api %}; the ``logins_revoked``
signal lets other parts end what they grant (the API's bearer tokens) in
the same transaction{% endif %}.
"""

from flask import current_app, g

from app.auth.login_session import end_logins_of, leave_login, log_in, remember_cookie
from app.auth.models import User
from app.auth.signals import {% if cookiecutter.use_uploads %}account_deleting, {% endif %}logins_revoked
from app.extensions import db


def revoke_everything(user: User, keep_current: bool = False) -> None:
    """End every session, remember-me cookie and token of ``user``, then commit.

    With ``keep_current`` this browser stays logged in, with a new login on
    a new session id (and a new remember-me cookie if it had one): the owner
    who just changed the password is not sent to the login form. Without
    it, this browser is logged out too when it was logged in as ``user``.
    """
    had_remember_cookie = remember_cookie() is not None
    is_this_browser = g.get("user") is not None and g.user.id == user.id
    end_logins_of(user)
    logins_revoked.send(current_app._get_current_object(), user_id=user.id)  # type: ignore[attr-defined]
    db.session.commit()
    if keep_current and is_this_browser:
        log_in(user, remember=had_remember_cookie)
    elif is_this_browser:
        leave_login()


def delete_account(user: User) -> None:
    """Delete ``user`` with everything of theirs (their logins too); this browser is
    logged out when it was ``user``'s{% if cookiecutter.use_admin %} (an administrator deleting someone stays in){% endif %}.

    The rows that belong to the user go with it (``ON DELETE CASCADE`` on
    every foreign key to ``users``); the {% if cookiecutter.use_uploads %}``account_deleting`` and
    ``logins_revoked`` signals let other parts clean up what the database
    cannot, ``account_deleting``'s receivers once the deletion is committed{% else %}``logins_revoked`` signal lets
    other parts clean up what the database cannot{% endif %}.
    """
    is_this_browser = g.get("user") is not None and g.user.id == user.id
{%- if cookiecutter.use_uploads %}
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    after_commit = [then for _receiver, then in account_deleting.send(app, user_id=user.id) if then]
    logins_revoked.send(app, user_id=user.id)
    db.session.delete(user)
    db.session.commit()
    for then in after_commit:
        then()
{%- else %}
    logins_revoked.send(current_app._get_current_object(), user_id=user.id)  # type: ignore[attr-defined]
    db.session.delete(user)
    db.session.commit()
{%- endif %}
    if is_this_browser:
        leave_login()
