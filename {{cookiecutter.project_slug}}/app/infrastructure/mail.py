"""Mail: a message with a plain-text and an HTML part, delivered where ``MAIL_URL`` says.

    smtp://[user:password@]host[:port]      plain SMTP (port 25)
    smtp+tls://[user:password@]host[:port]  SMTP, then STARTTLS (port 587)
    smtps://[user:password@]host[:port]     SMTP over TLS (port 465)
    console://                              written to the app's log (development)
    memory://                               kept in the app's outbox (the test suite)

Mail is never sent inside a request: a page queues a background job
(``app/infrastructure/jobs.py``), and the job calls ``send``. A mail server
that is down or refuses makes ``send`` raise, so the job is retried later.

The standard library does the whole job (``email.message`` builds the
message, ``smtplib`` speaks SMTP), so no mail extension is needed. Flask-Mailman
would add a dependency and, for STARTTLS, calls ``starttls()`` without an SSL
context: the server's certificate is not verified. Here every TLS connection
uses ``ssl.create_default_context()``, which checks the certificate and host name.
"""

import smtplib
import ssl
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template

from app.infrastructure.jobs import enqueue

DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtps": 465}
# Where the testing app keeps what it "sent", in ``app.extensions``.
OUTBOX_KEY = "mail_outbox"


@dataclass(frozen=True)
class Mail:
    """One message to one recipient, its two parts already rendered."""

    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class MailServer:
    """Where ``MAIL_URL`` says mail goes: a scheme, and for SMTP a host and credentials."""

    scheme: str
    host: str = ""
    port: int = 0
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> "MailServer":
        """Read a ``MAIL_URL`` (config.py has already refused a malformed one)."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS:
            return cls(parts.scheme)
        return cls(
            parts.scheme,
            parts.hostname or "",
            parts.port or DEFAULT_PORTS[parts.scheme],
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )


def render_mail(template: str, to: str, subject: str, **context: Any) -> Mail:
    """Render ``mail/<template>.txt`` and ``mail/<template>.html`` for ``to``.

    The subject names the app, so a recipient knows at a glance who wrote.
    """
    context = {"subject": subject, **context}
    return Mail(
        to=to,
        subject=f"{current_app.config['APP_NAME']}: {subject}",
        text=render_template(f"mail/{template}.txt", **context),
        html=render_template(f"mail/{template}.html", **context),
    )


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML preferred."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def send(mail: Mail) -> None:
    """Deliver ``mail`` now. Raises ``OSError`` or ``smtplib.SMTPException`` when it cannot."""
    config = current_app.config
    server = MailServer.from_url(config["MAIL_URL"])
    message = build_message(mail, config["MAIL_FROM"])
    if server.scheme == "console":
        write_to_log(mail, config["MAIL_FROM"])
    elif server.scheme == "memory":
        current_app.extensions.setdefault(OUTBOX_KEY, []).append(message)
    else:
        send_over_smtp(server, message, config["MAIL_TIMEOUT"])


def write_to_log(mail: Mail, sender: str) -> None:
    """Development's mail: the plain-text part in the log, so its links can be followed.

    The text is logged as written, not as MIME (whose quoted-printable
    encoding breaks long links across lines).
    """
    current_app.logger.info(
        "Mail not sent (MAIL_URL is console://)\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
        sender,
        mail.to,
        mail.subject,
        mail.text,
    )


def connect(server: MailServer, timeout: float) -> smtplib.SMTP:
    """An SMTP session with the server, over TLS when the scheme asks, logged in when
    the URL has credentials. Close it with ``quit()`` (or use it in a ``with``)."""
    context = ssl.create_default_context()  # verifies the certificate and the host name
    client: smtplib.SMTP
    if server.scheme == "smtps":
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        if server.scheme == "smtp+tls":
            client.starttls(context=context)
        if server.username:
            client.login(server.username, server.password or "")
    except BaseException:
        client.close()
        raise
    return client


def send_over_smtp(server: MailServer, message: EmailMessage, timeout: float) -> None:
    """Hand ``message`` to the SMTP server."""
    with connect(server, timeout) as client:
        client.send_message(message)


def server_problem() -> str | None:
    """Why mail cannot be delivered as ``MAIL_URL`` says, or None (for check-deploy)."""
    server = MailServer.from_url(current_app.config["MAIL_URL"])
    if server.scheme not in DEFAULT_PORTS:
        return f"MAIL_URL is {server.scheme}://: mail would not be sent (use an SMTP server)"
    try:
        connect(server, current_app.config["MAIL_TIMEOUT"]).quit()
    except (OSError, smtplib.SMTPException) as error:
        return f"the mail server of MAIL_URL does not accept us ({type(error).__name__})"
    return None


def deliver(fields: dict[str, str]) -> None:
    """The job ``queue_mail`` queues: send the mail its fields describe."""
    send(Mail(**fields))


def queue_mail(mail: Mail) -> None:
    """Send ``mail`` from a background job.

    Its text goes into the queue as it is: only for mails that hold nothing
    secret (notices). A mail with a link that grants something is built by
    its own job from ids, so no token sits in Redis (``app/auth/emails.py``).
    """
    enqueue(deliver, asdict(mail))


def outbox() -> list[EmailMessage]:
    """The messages the app has "sent" with ``MAIL_URL=memory://``, oldest first."""
    return current_app.extensions.setdefault(OUTBOX_KEY, [])
