"""The note forms: adding one on the dashboard, editing one on its page. Flask-WTF adds
and checks their CSRF token."""

from collections.abc import Callable

from flask_wtf import FlaskForm
from wtforms import Field, Form, StringField, SubmitField, TextAreaField
from wtforms.validators import ValidationError

from app.notes.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH
from app.notes.service import text_problem


def note_text(name: str, min_length: int, max_length: int) -> Callable[[Form, Field], None]:
    """A WTForms validator applying the service's length and character rules{% if cookiecutter.use_api %}, as the API does{% endif %}."""

    def validate(_form: Form, field: Field) -> None:
        problem = text_problem(field.data or "", name, min_length, max_length)
        if problem:
            raise ValidationError(problem)

    return validate


def strip_whitespace(value: object) -> object:
    """Forgive spaces around a title; an all-blank title is then empty, hence refused."""
    return value.strip() if isinstance(value, str) else value


class NoteForm(FlaskForm):
    """Add a note: a title and an optional body."""

    title = StringField(
        "Title",
        filters=[strip_whitespace],
        validators=[note_text("Title", 1, TITLE_MAX_LENGTH)],
        render_kw={"maxlength": TITLE_MAX_LENGTH, "required": True},
    )
    body = TextAreaField(
        "Note",
        validators=[note_text("Note", 0, BODY_MAX_LENGTH)],
        render_kw={"maxlength": BODY_MAX_LENGTH, "rows": 4},
    )
    submit = SubmitField("Add note")


class EditNoteForm(NoteForm):
    """Change a note: the same fields and rules as adding one."""

    submit = SubmitField("Save note")
