"""The app's models; import them from here (``from app.models import User``)."""

from app.models.user import User

__all__ = ["User"]
