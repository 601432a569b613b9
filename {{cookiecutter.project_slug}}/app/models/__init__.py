"""The app's models; import them from here (``from app.models import User``)."""

from app.models.api_token import ApiToken
from app.models.note import Note
from app.models.user import User

__all__ = ["ApiToken", "Note", "User"]
