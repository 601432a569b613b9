"""Sockets opened by scripts with an API bearer token, and how their tokens are rechecked."""

from collections.abc import Iterable

from flask import g
from sqlalchemy import select

from app.api.auth import user_from_bearer_token
from app.api.models import ApiToken
from app.extensions import db
from app.infrastructure.database import utcnow
from app.realtime.sockets import Listener


def bearer_listener() -> Listener:
    """The owner of the request's bearer token; 401 (as in the API) when it is not valid."""
    user = user_from_bearer_token()
    return Listener(user_id=user.id, token_id=g.api_token.id)


def revoked_tokens(token_ids: Iterable[int]) -> set[int]:
    """The ids among ``token_ids`` of tokens now deleted (revoked) or expired: one query."""
    wanted = set(token_ids)
    valid = db.session.scalars(
        select(ApiToken.id).where(ApiToken.id.in_(wanted), ApiToken.expires_at > utcnow())
    )
    return wanted - set(valid)
