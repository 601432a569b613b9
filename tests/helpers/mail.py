"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, stopped and started at will.

Every message it accepts is parsed with the standard library (``email.policy.default``),
so a test reads subjects, both parts and the links in them. ``stop()`` then
``start()`` on the same port is a mail server that goes down and comes back;
``delay`` makes one that takes its time to accept each message.
"""

import asyncio
import re
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from helpers.processes import free_port

LINK = re.compile(r"https?://\S+")


@dataclass
class Received:
    """One accepted message: the envelope, and the message parsed."""

    sender: str
    recipients: list
    message: EmailMessage

    @property
    def subject(self):
        return self.message["Subject"]

    @property
    def text(self):
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self):
        return self.message.get_body(("html",)).get_content()

    @property
    def links(self):
        """The links in the plain-text part, in order."""
        return LINK.findall(self.text)


class Inbox:
    """An aiosmtpd handler keeping what it receives (thread-safe: the server has its own loop)."""

    def __init__(self, delay=0.0):
        self.delay = delay
        self.lock = threading.Lock()
        self.received = []
        self.data_started = 0  # messages whose DATA began, accepted or not yet

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_started += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SMTPServer:
    """An SMTP server on one fixed loopback port, for the app's ``MAIL_URL``."""

    def __init__(self, port=None, delay=0.0):
        self.port = port or free_port()
        self.inbox = Inbox(delay)
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages_to(self, address):
        """The messages received so far for ``address``, oldest first."""
        with self.inbox.lock:
            return [item for item in self.inbox.received if address in item.recipients]

    def wait_for(self, address, count=1, timeout=20):
        """Wait until ``count`` messages for ``address`` have arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages_to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(
            f"{len(self.messages_to(address))} of {count} mails for {address} "
            f"within {timeout}s (received: {self.inbox.received})"
        )

    def wait_for_subject(self, address, words, timeout=20):
        """Wait for a message to ``address`` whose subject holds ``words``; return the latest."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [item for item in self.messages_to(address) if words in item.subject]
            if found:
                return found[-1]
            time.sleep(0.05)
        subjects = [item.subject for item in self.messages_to(address)]
        raise AssertionError(f"no mail about {words!r} for {address} within {timeout}s: {subjects}")

    def wait_until_receiving(self, timeout=20):
        """Wait until a client has begun sending a message's data."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.inbox.data_started:
                return
            time.sleep(0.02)
        raise AssertionError(f"no message began within {timeout}s")
