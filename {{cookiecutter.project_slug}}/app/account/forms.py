"""The account forms. Each asks for the current password; Flask-WTF adds the CSRF token."""

from flask_wtf import FlaskForm
{%- if cookiecutter.use_uploads %}
from flask_wtf.file import FileField, FileRequired
{%- endif %}
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired

from app.auth.forms import NewPasswordForm, acceptable_email, strip_whitespace


def current_password_field() -> PasswordField:
    """The field every account form starts with."""
    return PasswordField("Current password", validators=[DataRequired()])


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice."""

    current_password = current_password_field()
    submit = SubmitField("Change password")


class ChangeEmailForm(FlaskForm):
    """The new address (a link is mailed there) and the current password."""

    email = EmailField(
        "New email", filters=[strip_whitespace], validators=[DataRequired(), acceptable_email]
    )
    current_password = current_password_field()
    submit = SubmitField("Send the confirmation link")


class DeleteAccountForm(FlaskForm):
    """The current password, to delete the account and everything in it."""

    current_password = current_password_field()
    submit = SubmitField("Delete my account")
{%- if cookiecutter.use_uploads %}


class AvatarForm(FlaskForm):
    """A picture for the account (judged by its content in app/files/images.py)."""

    avatar = FileField("Picture", validators=[FileRequired("Choose an image to upload.")])
    submit = SubmitField("Upload picture")


class RemoveAvatarForm(FlaskForm):
    """Only the CSRF token: removing the picture asks for nothing else."""

    submit = SubmitField("Remove picture")
{%- endif %}
