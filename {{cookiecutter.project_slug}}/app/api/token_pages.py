"""``/account/tokens``: the API tokens page, for people rather than programs.

``POST /api/v1/tokens`` wants the password in a JSON body; here a logged-in
user names a token, sees it once, lists their tokens and revokes one (after
a page that asks first, so the confirmation needs no script). Tokens are the
API's own ``ApiToken`` rows, issued the same way: a token made here and one
from the API are alike, but for the name.
"""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Field, StringField, SubmitField
from wtforms.validators import ValidationError

from app.api.models import NAME_MAX_LENGTH, ApiToken
from app.auth.models import User
from app.extensions import db
from app.infrastructure.database import is_storable, utcnow
from app.web.template_helpers import add_nav_item

bp = Blueprint("api_tokens", __name__, template_folder="templates")


def token_name(_form: FlaskForm, field: Field) -> None:
    """1 to ``NAME_MAX_LENGTH`` characters that can be stored (the note rules, in short)."""
    name = field.data or ""
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise ValidationError(f"Name must be 1 to {NAME_MAX_LENGTH} characters long.")
    if not is_storable(name):
        raise ValidationError("Name contains characters that cannot be stored.")


def strip_whitespace(value: object) -> object:
    """Forgive spaces around a name; an all-blank one is then empty, hence refused."""
    return value.strip() if isinstance(value, str) else value


class TokenForm(FlaskForm):
    """A new token's name: what it is for, so that it can be told apart and revoked."""

    name = StringField(
        "Name",
        filters=[strip_whitespace],
        validators=[token_name],
        render_kw={"maxlength": NAME_MAX_LENGTH, "required": True},
    )
    submit = SubmitField("Create token")


def tokens_of(user: User) -> list[ApiToken]:
    """The user's unexpired tokens, newest first."""
    query = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.expires_at > utcnow())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(query))


def owned_token(token_id: int) -> ApiToken:
    """The logged-in user's unexpired token ``token_id``; anyone else's, or none: 404."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != g.user.id or token.expires_at <= utcnow():
        abort(404, "There is no token with this id.")
    return token


@bp.route("", methods=["GET", "POST"])
def tokens() -> Response:
    """List the user's tokens; the form makes a new one, shown on the page this once."""
    form = TokenForm()
    issued: tuple[ApiToken, str] | None = None
    if form.validate_on_submit():
        ApiToken.delete_expired(g.user)
        lifetime = timedelta(seconds=current_app.config["API_TOKEN_LIFETIME_SECONDS"])
        issued = ApiToken.issue(g.user, lifetime, form.name.data)
        db.session.commit()
        flash(f"Token “{form.name.data}” created. Copy it now: it is shown only once.", "success")
        form = TokenForm(formdata=None)
    page = render_template(
        "api/tokens.html",
        form=form,
        issued=issued,
        tokens=tokens_of(g.user),
        lifetime_days=current_app.config["API_TOKEN_LIFETIME_SECONDS"] / 86400,
    )
    response = make_response(page, 422 if form.errors else 200)
    # RFC 6749 section 5.1, as for the API's tokens: a page carrying one is never cached.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<id:token_id>/revoke", methods=["GET", "POST"])
def revoke(token_id: int) -> Response | str:
    """GET asks first; POST revokes one of the user's tokens, as ``DELETE /api/v1/tokens``
    does: its next request gets 401. (The site's CSRF check guards this form, as every other.)"""
    token = owned_token(token_id)
    if request.method == "GET":
        return render_template("api/revoke_token.html", token=token)
    name = token.name
    db.session.delete(token)
    db.session.commit()
    flash(f"Token “{name}” revoked." if name else "Token revoked.", "success")
    return redirect(url_for("api_tokens.tokens"))


def always() -> bool:
    """The navigation shows parts' items to logged-in users only; every one of them has tokens."""
    return True


@bp.record_once
def show_in_navigation(state: BlueprintSetupState) -> None:
    """Registering the blueprint adds the tokens page and the API docs to the navigation."""
    add_nav_item(state.app, "api/nav_links.html", always)
