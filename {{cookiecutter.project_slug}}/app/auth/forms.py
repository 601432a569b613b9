"""The auth forms. Flask-WTF adds and checks a CSRF token on each."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, Form, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from app.auth.accounts import email_problem, password_problem


def acceptable_email(_form: Form, field: Field) -> None:
    """WTForms validator applying the account email rules."""
    problem = email_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def acceptable_password(_form: Form, field: Field) -> None:
    """WTForms validator applying the account password rules."""
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def strip_whitespace(value: object) -> object:
    """Forgive spaces pasted around an email address."""
    return value.strip() if isinstance(value, str) else value


class RegistrationForm(FlaskForm):
    """Sign up with an email and a password typed twice."""

    email = EmailField(
        "Email", filters=[strip_whitespace], validators=[DataRequired(), acceptable_email]
    )
    password = PasswordField("Password", validators=[DataRequired(), acceptable_password])
    confirm_password = PasswordField(
        "Confirm password",
        validators=[DataRequired(), EqualTo("password", message="Passwords do not match.")],
    )
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    """Log in. Its errors are never shown per field: one message covers every failure."""

    email = EmailField("Email", filters=[strip_whitespace], validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember_me = BooleanField("Keep me logged in")
    submit = SubmitField("Log in")


class PasswordResetRequestForm(FlaskForm):
    """Ask for a reset link: the same answer whether or not an account has the address."""

    email = EmailField(
        "Email", filters=[strip_whitespace], validators=[DataRequired(), acceptable_email]
    )
    submit = SubmitField("Send me a link")


class NewPasswordForm(FlaskForm):
    """Choose a password, typed twice (after a reset link, or when changing it)."""

    password = PasswordField("New password", validators=[DataRequired(), acceptable_password])
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("password", message="Passwords do not match.")],
    )
    submit = SubmitField("Set the new password")
