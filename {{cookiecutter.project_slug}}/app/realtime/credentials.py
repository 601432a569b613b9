"""Which open sockets' credentials have ended: a logout, a revoked login, a revoked token.

A socket is opened with credentials that may end long before it closes.
The hub asks here every ``REALTIME_SESSION_CHECK_SECONDS`` (2 by default)
and closes the sockets found with 4001, so a session's sockets close within
seconds of its end, on every instance, whatever ended it:

- a cookie socket's ``Login`` is gone or has expired: logout deletes this
  browser's, and a password change or reset, or the account's deletion,
  every one of the user's (the browser that changed its password carries
  on with a new login, so its old sockets close too): one query for all
  the process's cookie sockets;
{%- if cookiecutter.use_api %}
- a bearer socket's token was deleted or has expired: ``DELETE
  /api/v1/tokens`` deletes one, and a password change or reset, or the
  account's deletion, every token of the user (``logins_revoked``): one query.
{%- endif %}

An email change ends nothing: the same person keeps the same logins, so
their sockets stay open.
"""

from collections.abc import Iterable

from flask import Flask
from sqlalchemy import select

from app.auth.models import Login
from app.extensions import db
{%- if cookiecutter.use_api %}
from app.realtime.bearer import revoked_tokens
{%- endif %}
from app.realtime.sockets import Socket


def ended(app: Flask, sockets: Iterable[Socket]) -> list[Socket]:
    """The sockets among ``sockets`` whose login or token has ended."""
    sockets = list(sockets)
    over: set[Socket] = set()
    with app.app_context():
        try:
            over |= logins_ended([sock for sock in sockets if sock.listener.login_id is not None])
{%- if cookiecutter.use_api %}
            over |= tokens_revoked([sock for sock in sockets if sock.listener.token_id is not None])
{%- endif %}
        finally:
            db.session.remove()
    return [sock for sock in sockets if sock in over]


def logins_ended(sockets: list[Socket]) -> set[Socket]:
    """Sockets whose login was deleted or has expired."""
    if not sockets:
        return set()
    login_ids = {sock.listener.login_id for sock in sockets}
    current = set(
        db.session.scalars(select(Login.id).where(Login.id.in_(login_ids), Login.unexpired()))
    )
    return {sock for sock in sockets if sock.listener.login_id not in current}
{%- if cookiecutter.use_api %}


def tokens_revoked(sockets: list[Socket]) -> set[Socket]:
    """Sockets whose bearer token was revoked or has expired."""
    if not sockets:
        return set()
    revoked = revoked_tokens(sock.listener.token_id for sock in sockets if sock.listener.token_id)
    return {sock for sock in sockets if sock.listener.token_id in revoked}
{%- endif %}
