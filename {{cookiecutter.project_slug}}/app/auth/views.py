"""The auth pages: register, log in, log out.

Password reset and email confirmation have their own modules
(``password_reset.py``, ``confirmation.py``).
"""

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.auth import bp
from app.auth.accounts import AccountError, authenticate, create_account, must_confirm_first
from app.auth.emails import send_confirmation
from app.auth.forms import LoginForm, RegistrationForm
from app.auth.guard import public
from app.auth.login_session import end_logins_of, log_in, log_out
from app.auth.redirects import safe_next_path
from app.infrastructure.jobs import enqueue
from app.web.rate_limits import (
    failed_login_limit,
    record_failed_login,
    registration_limit,
)

LOGIN_FAILED = "Invalid email or password."
CONFIRM_FIRST = (
    "Please confirm your email address before logging in: we have mailed you a new link to do so."
)


@bp.route("/register", methods=["GET", "POST"])
@public
@registration_limit
def register() -> Response | str:
    """Create an account, mail it a confirmation link, then send the new user to log in."""
    if g.user is not None:
        return redirect(url_for("main.dashboard"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = create_account(form.email.data or "", form.password.data or "")
        except AccountError as error:
            # A list once the form is validated (the stubs say Sequence).
            form.email.errors.append(str(error))  # type: ignore[attr-defined]
        else:
            enqueue(send_confirmation, user.id)
            flash(
                "Your account has been created. We have mailed you a link to confirm "
                "your email address. You can log in now.",
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
@failed_login_limit
def login() -> Response | str:
    """Log in, then go to ``next`` when it is a path on this site, else the dashboard."""
    next_path = safe_next_path(request.args.get("next"))
    destination = next_path or url_for("main.dashboard")
    if g.user is not None:
        return redirect(destination)
    form = LoginForm()
    error = None
    if form.is_submitted():
        user = (
            authenticate(form.email.data or "", form.password.data or "")
            if form.validate()
            else None
        )
        if user is not None and must_confirm_first(user):
            enqueue(send_confirmation, user.id)
            error = CONFIRM_FIRST
        elif user is not None:
            log_in(user, remember=form.remember_me.data)
            flash("You are logged in.", "success")
            return redirect(destination)
        else:
            error = LOGIN_FAILED
        # A refused login counts too: it also caps the confirmation mails it sends.
        record_failed_login()
    return render_template("auth/login.html", form=form, error=error, next_path=next_path)


@bp.post("/logout")
def logout() -> Response:
    """End this browser's login (POST only, with a CSRF token) and go home; with the
    form's ``everywhere``, every login of the user (each other device is logged out
    at its next request; API tokens are not logins and stay)."""
    everywhere = bool(request.form.get("everywhere"))
    if everywhere:
        end_logins_of(g.user)
    log_out()
    flash("You have been logged out" + (" on every device." if everywhere else "."), "info")
    return redirect(url_for("main.index"))
