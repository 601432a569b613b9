"""``StoredFile``: one file a user stored, the row that names its key in storage."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.infrastructure.database import UTCDateTime, utcnow

# A cleaned name is at most 255 bytes of UTF-8, so at most 255 characters.
FILENAME_MAX_LENGTH = 255
KEY_MAX_LENGTH = 100
CONTENT_TYPE_MAX_LENGTH = 100
KIND_MAX_LENGTH = 20


class StoredFile(Model):
    """A file in storage, owned by one user; its bytes live under ``key``.

    ``kind`` says what it is for ("attachment", "avatar"): the quota counts
    every kind. The row is written after the file and deleted before it,
    so a row always names a file (``flask files orphans`` reports the rest).
    """

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(KIND_MAX_LENGTH))
    key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(CONTENT_TYPE_MAX_LENGTH))
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} ({self.kind}) of user {self.owner_id}>"
