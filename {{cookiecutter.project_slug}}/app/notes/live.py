"""The notes, live: each change is pushed to its owner's open pages, which follow it.

``service.py`` sends a signal for every note created, updated or deleted,
once committed, whichever page{% if cookiecutter.use_api %} or API call{% endif %} made it; the receivers here
publish it to the owner (``app/realtime/publish.py``), as
``{"event": "note.created", "note": {...}}`` (times {% if cookiecutter.use_api %}as the API writes
them{% else %}in ISO
8601{% endif %}; a deleted note carries its id only).

The dashboard shows ``templates/notes/live_panel.html``, which loads
``static/notes-live.js``: on each note event, and after a reconnect (when
events may have been missed), it reloads the notes list from ``GET
/notes/panel``, the panel alone. No layout, so no flash message meant for
the next page is used up by it.
"""

from typing import Any

from flask import render_template{% if cookiecutter.use_uploads %}, url_for{% endif %}
from flask.sansio.app import App

from app.main.dashboard import add_panel
from app.notes import bp
from app.notes.models import {% if cookiecutter.use_uploads %}Attachment, {% endif %}Note
from app.notes.service import note_created, note_deleted, note_updated
from app.notes.views import dashboard_panel
from app.realtime.publish import publish


def note_json(note: Note) -> dict[str, Any]:
    """A note as the events carry it{% if cookiecutter.use_api %}: the API's fields{% endif %}, times in ISO 8601 with their offset."""
    return {
        "id": note.id,
        "title": note.title,
        "body": note.body,
        "created_at": note.created_at.isoformat(),
        "updated_at": note.updated_at.isoformat(),
{%- if cookiecutter.use_uploads %}
        "attachments": [attachment_json(attachment) for attachment in note.attachments],
{%- endif %}
    }
{%- if cookiecutter.use_uploads %}


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    """An attachment as the events carry it{% if cookiecutter.use_api %}, as the API shows it{% endif %}."""
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": url_for(
            "{{ 'api.note_attachment' if cookiecutter.use_api else 'notes.download_attachment' }}",
            note_id=attachment.note_id,
            attachment_id=attachment.id,
        ),
    }
{%- endif %}


@note_created.connect
def announce_created(note: Note, **_extra: Any) -> None:
    """Tell the owner's pages about a new note."""
    publish(note.owner_id, "note.created", {"note": note_json(note)})


@note_updated.connect
def announce_updated(note: Note, **_extra: Any) -> None:
    """Tell the owner's pages about a changed note."""
    publish(note.owner_id, "note.updated", {"note": note_json(note)})


@note_deleted.connect
def announce_deleted(note: Note, **_extra: Any) -> None:
    """Tell the owner's pages that a note is gone."""
    publish(note.owner_id, "note.deleted", {"note": {"id": note.id}})


@bp.get("/notes/panel")
def panel() -> str:
    """The dashboard's notes panel alone (the page ``?page=`` asks for), for notes-live.js."""
    return render_template("notes/panel.html", panel=dashboard_panel())


def show_on_dashboard(app: App) -> None:
    """Load notes-live.js on the dashboard, after the notes panel."""
    add_panel(app, "notes/live_panel.html", dict)
