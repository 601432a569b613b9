"""The account's picture: upload one, see it, remove it.

The upload is judged and redrawn by ``app/files/images.py`` (only the
pixels are kept), stored through ``app/files`` under the user's quota, and
named on the user's row (``users.avatar_id``), so the navigation shows it
with no query of its own. Its URL names the file, so browsers may keep it
for a day: a new picture is a new URL. It is served through the app, never
redirected to storage, so the page's ``img-src 'self'`` policy holds.
"""

import io
from typing import IO

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from app.account import bp
from app.account.forms import AvatarForm, RemoveAvatarForm
from app.auth.models import User
from app.extensions import db
from app.files.images import NotAnImage, clean_image
from app.files.models import StoredFile
from app.files.service import Upload, forget, remove_later, storing
from app.infrastructure.storage import storage
from app.web.request_checks import body_limit

AVATAR = "avatar"
# Browsers keep a picture this long; its URL changes with the picture.
CACHE_SECONDS = 24 * 60 * 60


def avatar_of(user: User) -> StoredFile | None:
    """``user``'s current picture, if any."""
    return db.session.get(StoredFile, user.avatar_id) if user.avatar_id is not None else None


def replace_avatar(user: User, upload: Upload) -> None:
    """Store ``upload`` as ``user``'s picture; the old one leaves storage after the commit."""
    old = avatar_of(user)
    with storing(user.id, upload, AVATAR) as stored:
        user.avatar_id = stored.id
        old_keys = forget([old]) if old is not None else []
    remove_later(old_keys)


def within_limit(stream: IO[bytes]) -> IO[bytes]:
    """``stream``, rewound, unless it is over ``AVATAR_MAX_BYTES`` (the body's limit
    leaves room for the multipart framing, so the file itself is measured here)."""
    limit = current_app.config["AVATAR_MAX_BYTES"]
    if stream.seek(0, io.SEEK_END) > limit:
        raise NotAnImage(f"The picture is larger than the limit of {limit:,} bytes.")
    stream.seek(0)
    return stream


@bp.route("/avatar", methods=["GET", "POST"])
@body_limit("AVATAR_MAX_BYTES")
def avatar() -> Response | str:
    """Show the picture and a form to replace it; a file that is not an image is refused."""
    config = current_app.config
    form = AvatarForm()
    if form.validate_on_submit():
        try:
            image = clean_image(within_limit(form.avatar.data.stream), config["AVATAR_MAX_PIXELS"])
        except NotAnImage as refusal:
            form.avatar.errors.append(str(refusal))
        else:
            upload = Upload(io.BytesIO(image.data), len(image.data), AVATAR, image.content_type)
            replace_avatar(g.user, upload)
            flash("Your picture has been changed.", "success")
            return redirect(url_for("main.dashboard"))
    return render_template("account/avatar.html", form=form, remove_form=RemoveAvatarForm())


@bp.post("/avatar/delete")
def remove_avatar() -> Response:
    """Remove the picture from the page at once and from storage by a job."""
    if RemoveAvatarForm().validate_on_submit() and (old := avatar_of(g.user)) is not None:
        g.user.avatar_id = None
        keys = forget([old])
        db.session.commit()
        remove_later(keys)
        flash("Your picture has been removed.", "info")
    else:
        flash("You have no picture to remove.", "info")
    return redirect(url_for("account.avatar"))


@bp.get("/avatar/<int:file_id>")
def avatar_image(file_id: int) -> Response:
    """The picture's bytes, when ``file_id`` is the user's current one; else 404."""
    stored = avatar_of(g.user)
    if stored is None or stored.id != file_id:
        abort(404)
    try:
        stream = storage().read(stored.key)
    except KeyError:
        current_app.logger.error("Stored file %s has a row but no bytes in storage", stored.id)
        abort(404)
    response = current_app.response_class(
        wrap_file(request.environ, stream), mimetype=stored.content_type, direct_passthrough=True
    )
    response.content_length = stored.size
    response.headers["Cache-Control"] = f"private, max-age={CACHE_SECONDS}, immutable"
    return response


def has_avatar() -> bool:
    """Whether the navigation shows a picture (the row is loaded already: no query)."""
    return g.user is not None and g.user.avatar_id is not None


def dashboard_panel() -> dict[str, str | None]:
    """The dashboard panel's variables: the picture's URL, or None."""
    file_id = g.user.avatar_id
    return {"avatar_url": url_for("account.avatar_image", file_id=file_id) if file_id else None}
