"""The account pages: change the password or the address, delete the account.

A wrong current password counts against the failed-login limit, as at the
login form: a stolen session cannot be used to guess it.
"""

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from app.account import bp
from app.account.forms import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm
from app.auth.emails import (
    account_deleted_notice,
    email_change_notice,
    password_changed_notice,
    send_email_change,
)
from app.auth.guard import public
from app.auth.models import User, normalize_email
from app.auth.passwords import hashing_slot
from app.auth.revocation import {% if not cookiecutter.use_admin %}delete_account, {% endif %}revoke_everything
{%- if cookiecutter.use_admin %}
from app.auth.roles import RoleError, delete_user
{%- endif %}
from app.auth.tokens import email_change_for
from app.extensions import db
from app.infrastructure.jobs import enqueue
from app.web.rate_limits import (
    confirmation_limit,
    failed_login_limit,
    record_failed_login,
    target_limit,
)

WRONG_PASSWORD = "That is not your current password."  # noqa: S105  (a message)  # nosec B105
TAKEN = "An account with this email already exists."
BAD_LINK = "This link to change your email address is invalid, has expired or has been used."


def add_error(field: object, message: str) -> None:
    """Show ``message`` under a form field (its errors are a list once validated)."""
    field.errors.append(message)  # type: ignore[attr-defined]


def account_checked(form: FlaskForm) -> User | None:
    """The logged-in user's row when the form's current password is right, else None.

    A wrong password is shown under its field and counted as a failed login.
    """
    # The slot first: waiting for it holds no database connection (app/auth/passwords.py).
    with hashing_slot():
        user: User = g.user
        if not user.check_password(form.current_password.data or ""):
            add_error(form.current_password, WRONG_PASSWORD)
            record_failed_login()
            return None
    return user


def new_email() -> str:
    """The address an email change is asked for, as stored: one count per mailbox."""
    return normalize_email(request.form.get("email", ""))


@bp.route("/password", methods=["GET", "POST"])
@failed_login_limit
def change_password() -> Response | str:
    """Change the password: every other session and token ends, this browser stays in."""
    form = ChangePasswordForm()
    if form.validate_on_submit() and (user := account_checked(form)) is not None:
        user.set_password(form.password.data or "")
        revoke_everything(user, keep_current=True)
        password_changed_notice(user)
        flash(
            "Your password has been changed. Every other session and token of yours has ended.",
            "success",
        )
        return redirect(url_for("main.dashboard"))
    return render_template("account/password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@failed_login_limit
@confirmation_limit
@target_limit("CONFIRMATION_TARGET_RATE_LIMIT", "confirmation-target", new_email)
def change_email() -> Response | str:
    """Ask to move the account to a new address: a link goes there, a notice to the old one.

    An address another account has gets the very same answer (that account's
    owner is mailed instead), so this page cannot tell who is registered.
    """
    form = ChangeEmailForm()
    if form.validate_on_submit() and (user := account_checked(form)) is not None:
        address = normalize_email(form.email.data or "")
        if address == user.email:
            add_error(form.email, "This is your address already.")
        else:  # taken or free, the same answer: only the job looks (auth/emails.py)
            enqueue(send_email_change, user.id, address)
            email_change_notice(user, address)
            flash(
                f"We have mailed a link to {address}. Your address changes when you follow it.",
                "info",
            )
            return redirect(url_for("main.dashboard"))
    return render_template("account/email.html", form=form)


@bp.get("/email/<secret:token>")
@public
def change_email_confirm(token: str) -> Response | tuple[str, int]:
    """Move the account to the address the mailed link was sent to (any browser)."""
    found = email_change_for(token)
    if found is None:
        return render_template("auth/bad_link.html", message=BAD_LINK, retry=None), 400
    user, address = found
    try:
        user.change_email(address)
        db.session.commit()
    except IntegrityError:  # another account took the address since the link was sent
        db.session.rollback()
        return render_template("auth/bad_link.html", message=TAKEN, retry=None), 409
    flash(f"Your email address is now {address}.", "success")
    return redirect(url_for("main.dashboard" if g.user is not None else "auth.login"))


@bp.route("/delete", methods=["GET", "POST"])
@failed_login_limit
def delete() -> Response | str:
    """Delete the account with everything in it; its sessions and tokens end with it."""
    form = DeleteAccountForm()
    if form.validate_on_submit() and (user := account_checked(form)) is not None:
        address = user.email
{%- if cookiecutter.use_admin %}
        try:
            delete_user(user)
        except RoleError as error:  # the last administrator stays
            db.session.rollback()
            add_error(form.current_password, str(error))
            return render_template("account/delete.html", form=form)
{%- else %}
        delete_account(user)
{%- endif %}
        account_deleted_notice(address)
        flash("Your account and everything in it have been deleted.", "info")
        return redirect(url_for("main.index"))
    return render_template("account/delete.html", form=form)
