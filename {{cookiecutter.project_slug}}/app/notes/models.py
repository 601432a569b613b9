"""The ``Note`` model: the example resource, shown on the dashboard{% if cookiecutter.use_api %} and served by the API{% endif %}."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.infrastructure.database import UTCDateTime, utcnow

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000


class Note(Model):
    """A short text owned by one user; nobody else can see it."""

    __tablename__ = "notes"
    # "My notes, newest first" is the one query every list runs: this index
    # serves both its filter and its order, so it never sorts in memory.
    __table_args__ = (Index("ix_notes_owner_id_created_at", "owner_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Note {self.id} of user {self.owner_id}>"
