"""Email confirmation: registering mails a link; following it confirms the address.

A logged-in user whose address is not confirmed yet can ask for a new link
from the dashboard. Whether such a user may log in at all is
``ALLOW_UNCONFIRMED_LOGIN`` (``app/auth/accounts.py``).
"""

from flask import flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from app.auth import bp
from app.auth.emails import send_confirmation
from app.auth.guard import public
from app.auth.tokens import user_for_confirmation
from app.extensions import db
from app.infrastructure.jobs import enqueue
from app.web.rate_limits import confirmation_limit, target_limit

BAD_LINK = (
    "This confirmation link is invalid or has expired. "
    "Log in and ask for a new one from your dashboard."
)


def own_email() -> str:
    """The address a logged-in user asks to confirm: one count per mailbox."""
    return str(g.user.email)


confirmation_target_limit = target_limit(
    "CONFIRMATION_TARGET_RATE_LIMIT", "confirmation-target", own_email
)


@bp.get("/confirm/<secret:token>")
@public
def confirm_email(token: str) -> Response | tuple[str, int]:
    """Confirm the address a mailed link was sent to, in any browser, logged in or not."""
    user = user_for_confirmation(token)
    if user is None:
        return render_template("auth/bad_link.html", message=BAD_LINK, retry="confirm"), 400
    user.confirm_email()
    db.session.commit()
    flash("Your email address is confirmed. Thank you!", "success")
    return redirect(url_for("main.dashboard" if g.user is not None else "auth.login"))


@bp.post("/confirm")
@confirmation_limit
@confirmation_target_limit
def resend_confirmation() -> Response:
    """Mail the logged-in user a new confirmation link (the dashboard's button)."""
    user = g.user
    if user.email_confirmed:
        flash("Your email address is already confirmed.", "info")
    else:
        enqueue(send_confirmation, user.id)
        flash(f"We have mailed a new confirmation link to {user.email}.", "info")
    return redirect(url_for("main.dashboard"))
