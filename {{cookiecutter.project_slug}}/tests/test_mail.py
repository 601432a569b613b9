"""Mail: two parts, a subject naming the app, and delivery where MAIL_URL says."""

import logging
import smtplib
import ssl

import pytest

from app.infrastructure import mail
from app.infrastructure.mail import Mail, MailServer
from config_checks import is_mail_url
from tests.conftest import html_of, text_of

A_MAIL = Mail(
    to="ada@example.com",
    subject="Hello",
    text="Plain text with a link:\n\nhttps://example.com/x\n",
    html="<p>HTML</p>",
)


class FakeSMTP:
    """Stands in for smtplib.SMTP and SMTP_SSL, recording what the app asks of it."""

    sessions = []

    def __init__(self, host, port, timeout=None, context=None):
        self.calls = [("connect", host, port, timeout)]
        self.context = context
        FakeSMTP.sessions.append(self)

    def starttls(self, context=None):
        self.calls.append(("starttls", context.verify_mode, context.check_hostname))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"]))

    def quit(self):
        self.calls.append(("quit",))

    def close(self):
        self.calls.append(("close",))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()


@pytest.fixture
def smtp(monkeypatch):
    """The SMTP sessions the app opens, each a FakeSMTP."""
    FakeSMTP.sessions = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    return FakeSMTP.sessions


def send(app, url, message=A_MAIL):
    app.config["MAIL_URL"] = url
    with app.app_context():
        mail.send(message)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", ("smtp", "mail.example.com", 25, None, None)),
        ("smtp+tls://u:p@mail.example.com", ("smtp+tls", "mail.example.com", 587, "u", "p")),
        ("smtps://mail.example.com:2465", ("smtps", "mail.example.com", 2465, None, None)),
        ("smtp://a%40b:p%2Fq@mail.example.com:26", ("smtp", "mail.example.com", 26, "a@b", "p/q")),
        ("console://", ("console", "", 0, None, None)),
    ],
)
def test_mail_urls_are_read_with_their_default_ports_and_credentials(url, expected):
    assert MailServer.from_url(url) == MailServer(*expected)


@pytest.mark.parametrize(
    "url",
    ["smtp://", "http://mail.example.com", "smtp://mail.example.com:port", "mail.example.com"],
)
def test_malformed_mail_urls_are_refused_by_the_settings(url):
    assert not is_mail_url(url)


def test_a_message_has_a_text_and_an_html_part(app, outbox):
    send(app, "memory://")
    (message,) = outbox
    assert message.get_content_type() == "multipart/alternative"
    assert text_of(message) == A_MAIL.text
    assert html_of(message).strip() == A_MAIL.html
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Message-ID"].endswith("@example.com>")


def test_rendered_mails_name_the_app_in_the_subject(app):
    with app.test_request_context():
        rendered = mail.render_mail("account_deleted", "ada@example.com", "Gone")
    assert rendered.subject == f"{app.config['APP_NAME']}: Gone"
    assert app.config["APP_NAME"] in rendered.text
    assert "<html" in rendered.html


def test_plain_smtp_sends_without_tls_or_login(app, smtp):
    send(app, "smtp://mail.example.com:2525")
    [session] = smtp
    assert session.calls == [
        ("connect", "mail.example.com", 2525, app.config["MAIL_TIMEOUT"]),
        ("send", "ada@example.com"),
        ("quit",),
    ]


def test_starttls_verifies_the_certificate_then_logs_in(app, smtp):
    send(app, "smtp+tls://user:secret@mail.example.com")
    [session] = smtp
    assert session.calls[1:] == [
        ("starttls", ssl.CERT_REQUIRED, True),
        ("login", "user", "secret"),
        ("send", "ada@example.com"),
        ("quit",),
    ]


def test_smtps_connects_over_verified_tls(app, smtp):
    send(app, "smtps://mail.example.com")
    [session] = smtp
    assert session.calls[0] == ("connect", "mail.example.com", 465, app.config["MAIL_TIMEOUT"])
    assert session.context.verify_mode == ssl.CERT_REQUIRED
    assert session.context.check_hostname


def test_a_refused_login_closes_the_connection_and_raises(app, smtp, monkeypatch):
    def refuse(self, user, password):
        raise smtplib.SMTPAuthenticationError(535, b"no")

    monkeypatch.setattr(FakeSMTP, "login", refuse)
    with pytest.raises(smtplib.SMTPAuthenticationError):
        send(app, "smtp://user:wrong@mail.example.com")
    assert smtp[0].calls[-1] == ("close",)


def test_a_mail_server_that_is_down_makes_sending_raise(app):
    """So that the job sending it fails, and is retried."""
    app.config["MAIL_TIMEOUT"] = 1
    with pytest.raises(OSError):
        send(app, "smtp://127.0.0.1:9")


def test_console_writes_the_readable_text_to_the_log(app, caplog):
    long_link = "https://example.com/auth/reset/" + "x" * 120
    message = Mail("ada@example.com", "Reset", f"Your link:\n\n{long_link}\n", "<p></p>")
    with caplog.at_level(logging.INFO, logger="app"):
        send(app, "console://", message)
    (record,) = [r for r in caplog.records if "console://" in r.getMessage()]
    assert long_link in record.getMessage()  # whole, not broken by MIME encoding
    assert "To: ada@example.com" in record.getMessage()


def test_queued_mail_is_delivered_by_its_job(app, outbox):
    with app.test_request_context():
        mail.queue_mail(A_MAIL)
    assert [message["To"] for message in outbox] == ["ada@example.com"]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("console://", "MAIL_URL is console://"),
        ("memory://", "MAIL_URL is memory://"),
        ("smtp://127.0.0.1:9", "the mail server of MAIL_URL does not accept us"),
    ],
)
def test_the_deploy_check_names_what_is_wrong_with_mail(app, url, problem):
    app.config.update(MAIL_URL=url, MAIL_TIMEOUT=1)
    with app.app_context():
        assert mail.server_problem().startswith(problem)


def test_the_deploy_check_accepts_a_server_that_takes_the_login(app, smtp):
    app.config["MAIL_URL"] = "smtp+tls://user:secret@mail.example.com"
    with app.app_context():
        assert mail.server_problem() is None
    assert smtp[0].calls[-1] == ("quit",)
