"""The admin forms: the actions on a user, each a POST carrying the CSRF token."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class ActionForm(FlaskForm):
    """A button that POSTs an action on a user (disable, enable, delete, resend)."""

    submit = SubmitField()


class RoleForm(FlaskForm):
    """``is_admin``: ``y`` grants the administrator role, empty revokes it."""

    is_admin = BooleanField("Administrator")
    submit = SubmitField("Save role")
