"""Rate limits on the endpoints attackers hammer: logins and registrations.

Flask-Limiter counts per client: an IPv4 address or an IPv6 /64, however
it is written (``client_key``, from ``app/infrastructure/client_key.py``,
the one function that says who a client is; see ``limiter`` in
``app/extensions.py``). The limits defined here are decorators:

``failed_login_limit``
    Counts only *failed* logins, so people who log in successfully are never
    slowed down. One count per client is shared by every view it decorates:
    the HTML login form{% if cookiecutter.use_api %}, the API's token endpoint{% endif %} and the account pages that ask for the
    current password. A view marks a failure by calling
    ``record_failed_login()``; an answer of 401 counts as one too. Once the
    count reaches ``LOGIN_FAILURE_RATE_LIMIT``, further POSTs get 429 with
    ``Retry-After`` (correct passwords included) until the window ends. Only
    POSTs are limited: the form itself can always be shown.

    Each POST takes its attempt *before* the password is checked (one atomic
    increment in the storage, Flask-Limiter's ``hit``) and gives it back
    afterwards unless it failed (``refund_unless_failed``). Checking first and
    counting afterwards would let every attempt sent at once pass the check
    before any was counted; reserving first, attempts sent all at once count
    exactly as the same attempts sent one after another, and only an attempt
    still in flight holds a place.

``registration_limit``
    Counts every registration POST, successful or not, against
    ``REGISTRATION_RATE_LIMIT``: it caps mass sign-ups and probing for taken
    emails from one address.

``password_reset_limit``, ``confirmation_limit`` and ``target_limit(...)``
    Count every POST that asks for a mail (a password reset, a confirmation
    or email-change link), per client address (``PASSWORD_RESET_RATE_LIMIT``,
    ``CONFIRMATION_RATE_LIMIT``) and, with ``target_limit``, per address
    mailed to (the ``*_TARGET_RATE_LIMIT`` settings), so nobody can flood
    one mailbox from many clients. Known and unknown addresses count alike:
    a 429 tells nothing about which have accounts.

Given ``REDIS_URL`` (production always is), the counts are kept in that
Redis, through the app's own client and its short timeouts, so every worker
and instance sees the same numbers. While Redis is down the limit cannot be checked, and the request
fails closed with 503 like any other request that needs Redis: letting
guesses through unchecked during an outage would be the wrong default.
"""

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g
from flask_limiter import RateLimitExceeded
from werkzeug.wrappers import Response

from app.extensions import limiter
from app.web.errors import ErrorResponse, error_response

if TYPE_CHECKING:
    from flask_limiter import RequestLimit, RouteLimit

FAILED_LOGIN_SCOPE = "failed-login"
REGISTRATION_SCOPE = "registration"
PASSWORD_RESET_SCOPE = "password-reset"  # noqa: S105  (a scope name)  # nosec B105
CONFIRMATION_SCOPE = "confirmation"
FAILED_LOGIN_FLAG = "login_failed"
UNAUTHORIZED = 401


def record_failed_login() -> None:
    """Count this request against the client's failed-login limit."""
    setattr(g, FAILED_LOGIN_FLAG, True)


def is_failed_login(response: Response) -> bool:
    """Did the view report a failed login (or answer 401)?"""
    return g.get(FAILED_LOGIN_FLAG, False) or response.status_code == UNAUTHORIZED


def refund_unless_failed(response: Response) -> Response:
    """Give back the failed-login attempt this request reserved, unless it failed.

    An ``after_request`` hook. The attempt was taken when the limit was
    checked (``limiter.current_limits`` lists it, breached or not); a success,
    a form with errors before any password was checked, or a 429 takes none
    in the end. The refund is a decrement of the same fixed-window count (the
    limiter's storage, Redis or memory, adds -1 atomically). Should the
    storage fail now, the attempt stays counted: the answer is not spoiled.
    """
    if is_failed_login(response):
        return response
    for reserved in limiter.current_limits:
        if reserved.request_args[-1] != FAILED_LOGIN_SCOPE:
            continue
        storage = limiter.storage
        try:
            storage.incr(reserved.key, reserved.limit.get_expiry(), amount=-1)
        except storage.base_exceptions:
            current_app.logger.warning("Could not give back a failed-login attempt")
    return response


def configured(key: str) -> Callable[[], str]:
    """A limit read from the config when a request needs it (tests change it)."""
    return lambda: current_app.config[key]


def post_limit(setting: str, scope: str, **options: Any) -> "RouteLimit":
    """A limit on POSTs, from config key ``setting``, counted per client address.

    ``scope`` keeps its count apart from other limits'; views sharing a
    scope share the count. ``options`` go to Flask-Limiter (``key_func``).
    """
    return limiter.shared_limit(configured(setting), scope=scope, methods=["POST"], **options)


# No ``deduct_when``: every POST takes an attempt first; ``refund_unless_failed`` returns it.
failed_login_limit = post_limit("LOGIN_FAILURE_RATE_LIMIT", FAILED_LOGIN_SCOPE)
registration_limit = post_limit("REGISTRATION_RATE_LIMIT", REGISTRATION_SCOPE)
password_reset_limit = post_limit("PASSWORD_RESET_RATE_LIMIT", PASSWORD_RESET_SCOPE)
confirmation_limit = post_limit("CONFIRMATION_RATE_LIMIT", CONFIRMATION_SCOPE)


def target_limit(setting: str, scope: str, target: Callable[[], str]) -> "RouteLimit":
    """A limit on POSTs per address mailed to: ``target()`` names it for each request."""
    return post_limit(setting, scope, key_func=target)


def breached_limit() -> "RequestLimit":
    """The limit this request broke: Flask-Limiter sets it before raising ``RateLimitExceeded``."""
    breached = limiter.current_limit
    assert breached is not None
    return breached


def retry_after_seconds() -> int:
    """Whole seconds until the breached limit's window ends (1 to the window's length)."""
    breached = breached_limit()
    seconds = math.ceil(breached.reset_at - time.time())
    return min(max(1, seconds), breached.limit.get_expiry())


def too_many_requests(_error: "RateLimitExceeded") -> ErrorResponse:
    """429 as an HTML page or problem details, saying when to try again."""
    seconds = retry_after_seconds()
    current_app.logger.warning("Rate limit reached: %s", breached_limit().limit)
    return error_response(
        429,
        f"Too many attempts from your address. Please try again in {seconds} seconds.",
        {"Retry-After": str(seconds)},
    )


def storage_settings(app: Flask) -> tuple[str, dict[str, Any]]:
    """Where to count: the configured URI, else the app's Redis and its connection pool.

    Without either (development or tests without Redis) the counts stay in
    this process's memory: with one process, nothing else needs to see them.
    """
    uri = app.config["RATE_LIMIT_STORAGE_URI"]
    if uri:
        return uri, {}
    if not app.config["REDIS_URL"]:
        return "memory://", {}
    client = app.extensions["redis"].client
    return app.config["REDIS_URL"], {"connection_pool": client.connection_pool}


def init_app(app: Flask) -> None:
    """Bind the limiter to the app's storage and answer breaches with ``too_many_requests``."""
    # Flask-Limiter's own keys, derived from ours.
    uri, options = storage_settings(app)
    app.config["RATELIMIT_STORAGE_URI"] = uri
    app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    app.after_request(refund_unless_failed)
