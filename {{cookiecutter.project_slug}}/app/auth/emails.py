"""The mails an account gets, and the background jobs that send them.

Mails with a link that grants something (confirm an address, reset a
password, change the address) are built inside their job, from an id or an
address: the token is made there and never sits in the queue. The job
looks the account up again, so a reset asked for an unknown address costs
the request exactly what a known one costs, and mails nothing.

Links are absolute and start with ``PUBLIC_URL``, followed by the path the
URL map builds; never with the request's ``Host`` header, which a client
chooses (``url_for(..., _external=True)`` would take it from there).
Templates: ``app/templates/mail/<name>.txt`` and ``.html``.
"""

from typing import Any

from flask import current_app

from app.auth import tokens
from app.auth.models import User
from app.extensions import db
from app.infrastructure.mail import queue_mail, render_mail, send


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute link to ``endpoint``: ``PUBLIC_URL`` and the endpoint's path."""
    adapter = current_app.url_map.bind("unused.invalid")  # only the path is built
    return current_app.config["PUBLIC_URL"] + adapter.build(endpoint, values)


def minutes(setting: str) -> int:
    """A link's lifetime setting, in whole minutes, for the mail's text."""
    return max(1, current_app.config[setting] // 60)


def send_confirmation(user_id: int) -> None:
    """Job: mail the account a link confirming its current address (unless it is confirmed)."""
    user = db.session.get(User, user_id)
    if user is None or user.email_confirmed:
        return
    link = public_url("auth.confirm_email", token=tokens.make_confirmation_token(user))
    days = max(1, current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 86400)
    mail = render_mail(
        "confirm_email", user.email, "Confirm your email address", link=link, days=days
    )
    send(mail)


def send_password_reset(email: str) -> None:
    """Job: mail a reset link to ``email`` if an account has it; nothing otherwise."""
    user = User.find_by_email(email)
    if user is None:
        current_app.logger.info("Password reset asked for an address with no account")
        return
    link = public_url("auth.reset_password", token=tokens.make_password_reset_token(user))
    send(
        render_mail(
            "reset_password",
            user.email,
            "Reset your password",
            link=link,
            minutes=minutes("PASSWORD_RESET_MAX_AGE"),
        )
    )


def send_email_change(user_id: int, new_email: str) -> None:
    """Job: mail ``new_email`` the link that moves the account to it, or, when another
    account has that address already, a mail saying so (and no link).

    The page that queued this answered the same way in both cases: only the
    owner of ``new_email`` learns that it is taken.
    """
    user = db.session.get(User, user_id)
    if user is None:
        return
    if User.find_by_email(new_email) is not None:
        send(
            render_mail(
                "email_taken",
                new_email,
                "This email address already has an account",
                reset_link=public_url("auth.request_password_reset"),
            )
        )
        return
    token = tokens.make_email_change_token(user, new_email)
    send(
        render_mail(
            "change_email",
            new_email,
            "Confirm your new email address",
            link=public_url("account.change_email_confirm", token=token),
            minutes=minutes("EMAIL_CHANGE_MAX_AGE"),
        )
    )


def email_change_notice(user: User, new_email: str) -> None:
    """Tell the current address that a move to ``new_email`` was asked for (no link in it)."""
    queue_mail(
        render_mail(
            "email_change_notice",
            user.email,
            "A change of your email address was asked for",
            new_email=new_email,
            reset_link=public_url("auth.request_password_reset"),
        )
    )


def password_changed_notice(user: User) -> None:
    """Tell the account that its password changed, and what to do if that was not its owner."""
    queue_mail(
        render_mail(
            "password_changed",
            user.email,
            "Your password has been changed",
            reset_link=public_url("auth.request_password_reset"),
        )
    )


def account_deleted_notice(email: str) -> None:
    """Tell a deleted account's address that the account and its data are gone."""
    queue_mail(render_mail("account_deleted", email, "Your account has been deleted"))
