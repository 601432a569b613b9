"""Which open sockets' credentials have ended: a logout, a revoked login, a revoked token.

A socket is opened with credentials that may end long before it closes.
The hub asks here every ``REALTIME_SESSION_CHECK_SECONDS`` (2 by default)
and closes the sockets found with 4001, so a session's sockets close within
seconds of its end, on every instance, whatever ended it:

- the session's key is gone from Redis: logout deletes it, and a password
  change or reset, or the account's deletion, deletes every session of the
  user (``revoke_everything``, through the session index; the browser that
  changed its password carries on under a new session id, so its old
  sockets close too): one pipelined ``EXISTS``;
- the login id the session holds no longer belongs to a user: logout
  anywhere, a password change and a reset give the user a new one, and a
  deleted account has none (this alone covers development's file sessions,
  which have no index): one query for all the process's cookie sockets;
{%- if cookiecutter.use_api %}
- a bearer socket's token was deleted or has expired: ``DELETE
  /api/v1/tokens`` deletes one, and a password change or reset, or the
  account's deletion, every token of the user (``logins_revoked``): one query.
{%- endif %}

An email change ends nothing: the same person keeps the same login and
sessions, so their sockets stay open.
"""

from collections.abc import Iterable

from flask import Flask
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
{%- if cookiecutter.use_api %}
from app.realtime.bearer import revoked_tokens
{%- endif %}
from app.realtime.sockets import Socket


def ended(app: Flask, sockets: Iterable[Socket]) -> list[Socket]:
    """The sockets among ``sockets`` whose session, login or token has ended."""
    sockets = list(sockets)
    cookie = [sock for sock in sockets if sock.listener.session_key is not None]
    over: set[Socket] = set()
    with app.app_context():
        try:
            if cookie:
                over |= sessions_gone(app, cookie)
                over |= logins_revoked(cookie)
{%- if cookiecutter.use_api %}
            over |= tokens_revoked([sock for sock in sockets if sock.listener.token_id is not None])
{%- endif %}
        finally:
            db.session.remove()
    return [sock for sock in sockets if sock in over]


def sessions_gone(app: Flask, sockets: list[Socket]) -> set[Socket]:
    """Sockets whose session is no longer stored (sessions kept in Redis only)."""
    client = app.extensions["redis"].client
    if client is None:  # development's file sessions: the login check covers logout
        return set()
    pipe = client.pipeline(transaction=False)
    for sock in sockets:
        pipe.exists(sock.listener.session_key)
    return {sock for sock, exists in zip(sockets, pipe.execute(), strict=True) if not exists}


def logins_revoked(sockets: list[Socket]) -> set[Socket]:
    """Sockets whose login id no user holds any more."""
    login_ids = {sock.listener.login_id for sock in sockets}
    current = set(db.session.scalars(select(User.login_id).where(User.login_id.in_(login_ids))))
    return {sock for sock in sockets if sock.listener.login_id not in current}
{%- if cookiecutter.use_api %}


def tokens_revoked(sockets: list[Socket]) -> set[Socket]:
    """Sockets whose bearer token was revoked or has expired."""
    if not sockets:
        return set()
    revoked = revoked_tokens(sock.listener.token_id for sock in sockets if sock.listener.token_id)
    return {sock for sock in sockets if sock.listener.token_id in revoked}
{%- endif %}
