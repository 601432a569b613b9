"""The admin pages: the user list, a user's page and its actions, the audit log.

Each action is a POST with the CSRF token, goes through ``app/auth/roles.py``
(the rules, and the audit row) and comes back to the user's page with a
flash. A change the rules refuse (the last administrator, disabling
oneself) gets a 409 page and changes nothing.
"""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.admin import bp
from app.admin.facts import facts_about
from app.admin.forms import ActionForm, RoleForm
from app.auth import roles
from app.auth.audit import Actor, AuditEvent, record
from app.auth.directory import users_page
from app.auth.emails import send_confirmation
from app.auth.models import User
from app.extensions import db
from app.infrastructure.jobs import enqueue

USERS_PER_PAGE = 50
EVENTS_PER_PAGE = 100
# Far past the end of any list, and small enough that its OFFSET fits the databases' 64 bits.
MAX_PAGE = 10**12


def page_number() -> int:
    """``?page=`` as a whole number from 1 (a 400 page otherwise); a page too far to
    count (past ``MAX_PAGE``) is just past the end."""
    text = request.args.get("page", "1").lstrip("0") or "0"
    if not (text.isascii() and text.isdigit()) or text == "0":
        abort(400, "The page must be a whole number from 1.")
    return min(int(text), MAX_PAGE) if len(text) <= len(str(MAX_PAGE)) else MAX_PAGE


def user_or_404(user_id: int) -> User:
    """The user with this id, or a 404 page."""
    return db.get_or_404(User, user_id)


@bp.get("/")
def users() -> str:
    """Every user, newest first, 50 a page; ``?q=`` keeps those whose email contains it."""
    query = request.args.get("q", "")
    page = users_page(query, page_number(), USERS_PER_PAGE)
    return render_template("admin/users.html", page=page, query=query)


@bp.get("/users/<id:user_id>")
def user(user_id: int) -> str:
    """One user's details and the actions on them."""
    account = user_or_404(user_id)
    return render_template(
        "admin/user.html",
        account=account,
        facts=facts_about(account),
        action=ActionForm(),
        role=RoleForm(is_admin=account.is_admin),
    )


def apply(account: User, change: Callable[[User, Actor], None]) -> None:
    """Apply ``change`` to ``account`` as the logged-in administrator; 409 when the rules
    refuse it, with nothing changed."""
    if not ActionForm().validate_on_submit():
        abort(400, "The form is invalid or has expired; reload the page and try again.")
    try:
        change(account, Actor.current())
    except roles.RoleError as error:
        db.session.rollback()
        abort(409, str(error))


def act(user_id: int, change: Callable[[User, Actor], None], done: str) -> Response:
    """Apply ``change`` to the user, then show their page with the ``done`` message."""
    account = user_or_404(user_id)
    apply(account, change)
    flash(done.format(email=account.email), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<id:user_id>/disable")
def disable(user_id: int) -> Response:
    """Disable the account: every session{% if cookiecutter.use_api %}, token{% endif %}{% if cookiecutter.use_realtime %}, socket{% endif %} of theirs ends now."""
    return act(user_id, roles.disable, "{email} is disabled and logged out everywhere.")


@bp.post("/users/<id:user_id>/enable")
def enable(user_id: int) -> Response:
    """Let the account log in again."""
    return act(user_id, roles.enable, "{email} can log in again.")


@bp.post("/users/<id:user_id>/admin")
def set_admin(user_id: int) -> Response:
    """Grant (``is_admin=y``) or revoke (empty) the administrator role."""
    is_admin = RoleForm().is_admin.data

    def change(account: User, actor: Actor) -> None:
        roles.set_admin(account, bool(is_admin), actor)

    message = "{email} is now an administrator." if is_admin else "{email} is no administrator."
    return act(user_id, change, message)


@bp.post("/users/<id:user_id>/confirmation")
def resend_confirmation(user_id: int) -> Response:
    """Mail the user a new link to confirm their address."""

    def change(account: User, actor: Actor) -> None:
        record(actor, "resend confirmation", account)
        db.session.commit()
        enqueue(send_confirmation, account.id)

    return act(user_id, change, "A new confirmation link is on its way to {email}.")


@bp.route("/users/<id:user_id>/delete", methods=["GET", "POST"])
def delete(user_id: int) -> Response | str:
    """GET asks first (its page's form POSTs here); POST deletes the account with all its
    data, as ``/account/delete`` does."""
    account = user_or_404(user_id)
    if request.method == "GET":
        return render_template("admin/delete_user.html", account=account, action=ActionForm())
    email = account.email
    apply(account, roles.delete_user)
    flash(f"{email} and everything in the account have been deleted.", "success")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
def audit() -> str:
    """Every administrative action, newest first, 100 a page."""
    page = page_number()
    query = (
        select(AuditEvent)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(EVENTS_PER_PAGE + 1)  # one more tells whether a next page exists
        .offset((page - 1) * EVENTS_PER_PAGE)
    )
    events = list(db.session.scalars(query))
    return render_template(
        "admin/audit.html",
        events=events[:EVENTS_PER_PAGE],
        page=page,
        has_next=len(events) > EVENTS_PER_PAGE,
    )
