"""The ``Note`` model: the example resource, shown on the dashboard{% if cookiecutter.use_api %} and served by the API{% endif %}."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column{% if cookiecutter.use_uploads %}, relationship{% endif %}

from app.extensions import Model
{%- if cookiecutter.use_uploads %}
from app.files.models import StoredFile
{%- endif %}
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
{%- if cookiecutter.use_uploads %}
    # Loaded for a whole page of notes in one more query; deleted by the database.
    attachments: Mapped[list["Attachment"]] = relationship(
        lazy="selectin", order_by="Attachment.file_id", viewonly=True
    )
{%- endif %}

    def __repr__(self) -> str:
        return f"<Note {self.id} of user {self.owner_id}>"
{%- if cookiecutter.use_uploads %}


class Attachment(Model):
    """A stored file attached to a note; its id is the file's (``app/files/``)."""

    __tablename__ = "note_attachments"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True
    )
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    file: Mapped[StoredFile] = relationship(lazy="joined", innerjoin=True)

    @property
    def id(self) -> int:
        return self.file_id

    @property
    def filename(self) -> str:
        return self.file.filename

    @property
    def size(self) -> int:
        return self.file.size

    @property
    def content_type(self) -> str:
        return self.file.content_type

    def __repr__(self) -> str:
        return f"<Attachment {self.file_id} of note {self.note_id}>"
{%- endif %}
