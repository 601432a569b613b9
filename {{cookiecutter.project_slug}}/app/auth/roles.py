"""Roles, and the rules every change of a user's role or state obeys, on every path.

One role ships, ``admin``, kept as ``users.is_admin``. ``require_role`` guards
a view function or a ``MethodView`` (in its ``decorators``); the login guard
still runs first, so an anonymous visitor is sent to log in before any role
is checked. The admin pages{% if cookiecutter.use_api %}, the API{% endif %}, the commands and ``/account/delete``
change accounts only through the functions below, so the rules hold
everywhere: the last enabled administrator keeps the role and the account,
an administrator cannot disable themself, and each change is audited.
"""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, g
from sqlalchemy import select, update

from app.auth.audit import Actor, record
from app.auth.models import User
from app.auth.revocation import delete_account, revoke_everything
from app.extensions import db
from app.infrastructure.database import utcnow

ADMIN = "admin"
LAST_ADMIN = "{email} is the last administrator: make someone else an administrator first."
NOT_YOURSELF = "You cannot disable your own account."

Params = ParamSpec("Params")
Result = TypeVar("Result")


class RoleError(ValueError):
    """A change the rules refuse; the message says why. Nothing was changed."""


def has_role(user: User | None, role: str) -> bool:
    """True when ``user`` is enabled and holds ``role``."""
    return user is not None and not user.disabled and role == ADMIN and user.is_admin


def require_role(role: str) -> Callable[[Callable[Params, Result]], Callable[Params, Result]]:
    """A view decorator: 403 (a page, or problem details) for users without ``role``.

    On a ``MethodView`` put it in ``decorators`` before ``authenticate()``
    (the first decorator listed is the innermost), so the caller is known.
    """

    def decorator(view: Callable[Params, Result]) -> Callable[Params, Result]:
        @wraps(view)
        def guarded(*args: Params.args, **kwargs: Params.kwargs) -> Result:
            if g.get("user") is None:
                abort(401)  # a view marked @public: still closed
            if not has_role(g.user, role):
                abort(403, f"This page needs the {role} role.")
            return view(*args, **kwargs)

        return guarded

    return decorator


def lock_enabled_administrators() -> list[int]:
    """The ids of the enabled administrators, locked until the transaction ends.

    PostgreSQL locks their rows (``SELECT ... FOR UPDATE``, in id order so two
    requests cannot deadlock): a concurrent change of an administrator waits,
    then counts again. SQLite has no row locks but one writer at a time: a
    write first takes the database's write lock, which a concurrent writer
    waits for (its busy timeout) before it can count.
    """
    enabled_admins = (User.is_admin.is_(True), User.disabled_at.is_(None))
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(User).where(*enabled_admins).values(is_admin=True))
    query = select(User.id).where(*enabled_admins).order_by(User.id).with_for_update()
    return list(db.session.scalars(query))


def keep_an_administrator(user: User) -> None:
    """Raise ``RoleError`` when ``user`` is the last enabled administrator."""
    if lock_enabled_administrators() == [user.id]:
        raise RoleError(LAST_ADMIN.format(email=user.email))


def set_admin(user: User, is_admin: bool, actor: Actor) -> None:
    """Grant or revoke the administrator role; the user's next request sees it."""
    if not is_admin:
        keep_an_administrator(user)
    user.is_admin = is_admin
    record(actor, "grant admin" if is_admin else "revoke admin", user)
    db.session.commit()


def disable(user: User, actor: Actor) -> None:
    """Keep ``user`` from logging in, and end every session{% if cookiecutter.use_api %}, token{% endif %}{% if cookiecutter.use_realtime %}, socket{% endif %} of theirs."""
    if user.id == actor.user_id:
        raise RoleError(NOT_YOURSELF)
    keep_an_administrator(user)
    user.disabled_at = utcnow()
    record(actor, "disable", user)
    revoke_everything(user)  # commits, with the change and its audit row


def enable(user: User, actor: Actor) -> None:
    """Let ``user`` log in again (what was ended stays ended)."""
    user.disabled_at = None
    record(actor, "enable", user)
    db.session.commit()


def delete_user(user: User, actor: Actor | None = None) -> None:
    """Delete ``user`` with all their data (``delete_account``), unless they are the last
    administrator; an ``actor`` other than the user is audited."""
    keep_an_administrator(user)
    if actor is not None:
        record(actor, "delete", user)
        db.session.flush()  # the row exists before its target goes (ON DELETE SET NULL)
    delete_account(user)
