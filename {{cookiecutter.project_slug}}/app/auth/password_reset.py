"""Forgotten passwords: ask for a link by mail, then choose a new password with it.

The request page answers the same way, with the same work done, whatever
address it is given: the job queued for it looks the address up and mails
only an account's owner, so the page cannot tell anyone which addresses
have accounts. Requests are limited per client and per address mailed to
(``app/web/rate_limits.py``). Using the link ends every session,
remember-me cookie and token of the account (``app/auth/revocation.py``).
"""

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.auth import bp
from app.auth.emails import password_changed_notice, send_password_reset
from app.auth.forms import NewPasswordForm, PasswordResetRequestForm
from app.auth.guard import public
from app.auth.models import normalize_email
from app.auth.revocation import revoke_everything
from app.auth.tokens import user_for_password_reset
from app.infrastructure.jobs import enqueue
from app.web.rate_limits import password_reset_limit, target_limit

RESET_LINK_SENT = (
    "If an account uses that address, we have mailed it a link to choose a new password. "
    "Check your inbox."
)
BAD_LINK = "This link to reset your password is invalid, has expired or has been used already."


def posted_email() -> str:
    """The address a reset is asked for, as accounts store it: one count per mailbox."""
    return normalize_email(request.form.get("email", ""))


reset_target_limit = target_limit(
    "PASSWORD_RESET_TARGET_RATE_LIMIT", "password-reset-target", posted_email
)


@bp.route("/reset", methods=["GET", "POST"])
@public
@password_reset_limit
@reset_target_limit
def request_password_reset() -> Response | str:
    """Ask for a reset link; known and unknown addresses get the same answer."""
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        enqueue(send_password_reset, normalize_email(form.email.data or ""))
        flash(RESET_LINK_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<secret:token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Response | str | tuple[str, int]:
    """Choose a new password with a mailed link; then every login of the account ends."""
    user = user_for_password_reset(token)
    if user is None:
        return render_template("auth/bad_link.html", message=BAD_LINK, retry="reset"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data or "")
        user.confirm_email()  # the link reached the owner at this address
        revoke_everything(user)
        password_changed_notice(user)
        flash("Your password has been changed. Log in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, token=token)
