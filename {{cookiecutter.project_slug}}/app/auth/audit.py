"""The audit log: one row per administrative action, whoever did it and however.

The admin pages{% if cookiecutter.use_api %}, the API{% endif %} and the ``manage.py`` commands all record through
``record``, in the transaction of the change itself, so an action and its
trace are committed together or not at all. A row keeps the target's email
as it was, and outlives the target: deleting the user only empties
``target_user_id`` (``ON DELETE SET NULL``).
"""

from dataclasses import dataclass
from datetime import datetime

from flask import g, has_request_context, request
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.models import User
from app.extensions import Model, db
from app.infrastructure.database import UTCDateTime, utcnow


class AuditEvent(Model):
    """Who did what to whom, when, and from which address."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # An administrator's email, or the command line ("manage.py admin grant ...").
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(40))
    target_email: Mapped[str | None] = mapped_column(String(254))
    target_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    remote_addr: Mapped[str | None] = mapped_column(String(45))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"


@dataclass(frozen=True)
class Actor:
    """Who acts: an administrator in a browser{% if cookiecutter.use_api %} or with a token{% endif %}, or a command."""

    name: str
    user_id: int | None = None
    remote_addr: str | None = None

    @classmethod
    def current(cls) -> "Actor":
        """The logged-in administrator of this request, and the client's address."""
        user: User = g.user
        return cls(user.email, user.id, request.remote_addr if has_request_context() else None)


def record(actor: Actor, action: str, target: User) -> None:
    """Add an audit row for ``action`` on ``target`` (the caller commits)."""
    db.session.add(
        AuditEvent(
            actor=actor.name,
            action=action,
            target_email=target.email,
            target_user_id=target.id,
            remote_addr=(actor.remote_addr or "")[:45] or None,
        )
    )
