"""A minimal HTTP client for setting up the benchmark: one visitor, one cookie jar.

The servers speak plain HTTP while the app runs its production config, so
the session cookie is marked ``Secure`` and a standard cookie jar would
never send it back. This client keeps cookies itself and sends them on
every request, and never follows redirects (a redirect to the login form
must be seen, not followed). The same interface wraps Flask's test client
(``InProcessBrowser``), so the fixtures can be made over HTTP or in-process.
"""

import http.client
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode

TIMEOUT = 15
CSRF_FIELD = "csrf_token"


@dataclass
class Answer:
    """A response: status, headers (names lower-cased) and the body as text."""

    status: int
    headers: dict
    text: str

    def json(self):
        return json.loads(self.text)


class InputValues(HTMLParser):
    """Collects the values of every ``<input name=...>`` with a given name."""

    def __init__(self, name):
        super().__init__()
        self.name = name
        self.values = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == self.name:
            self.values.append(attributes.get("value") or "")


def csrf_token(page):
    """The value of the first hidden ``csrf_token`` input in ``page``, or None."""
    finder = InputValues(CSRF_FIELD)
    finder.feed(page)
    return finder.values[0] if finder.values else None


def cookie_header(cookies):
    """The ``Cookie`` request header for a ``{name: value}`` jar."""
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def update_cookies(cookies, set_cookie_headers):
    """Apply ``Set-Cookie`` headers to the jar: set, replace or delete."""
    for header in set_cookie_headers:
        first, *attributes = header.split(";")
        name, _, value = first.strip().partition("=")
        expired = any(
            part.strip().lower() in ("max-age=0", "max-age=-1") or "1970" in part
            for part in attributes
        )
        if value and not expired:
            cookies[name] = value
        else:
            cookies.pop(name, None)


class Browser:
    """Sends requests to ``host:port`` over HTTP with its own cookie jar."""

    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.cookies = {}

    def request(self, method, path, headers=None, form=None, json_body=None):
        """Send one request (a ``form`` url-encoded, a ``json_body`` as JSON); return an Answer."""
        headers, body = prepare(headers, form, json_body)
        if self.cookies:
            headers["Cookie"] = cookie_header(self.cookies)
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        update_cookies(self.cookies, response.headers.get_all("Set-Cookie") or [])
        return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, text)


class InProcessBrowser:
    """The same interface over a Flask test client, for in-process fixtures."""

    def __init__(self, client):
        self.client = client
        self.cookies = {}

    def request(self, method, path, headers=None, form=None, json_body=None):
        """Send one request through the test client; return an Answer."""
        headers, body = prepare(headers, form, json_body)
        if self.cookies:
            headers["Cookie"] = cookie_header(self.cookies)
        if method not in ("GET", "HEAD"):
            # Flask's test client speaks the app's PREFERRED_URL_SCHEME (https in
            # production), where Flask-WTF wants a same-origin Referer, as browsers send.
            config = self.client.application.config
            origin = f"{config['PREFERRED_URL_SCHEME']}://{config['SERVER_NAME'] or 'localhost'}"
            headers.setdefault("Referer", origin + path)
        response = self.client.open(path, method=method, headers=headers, data=body)
        update_cookies(self.cookies, response.headers.getlist("Set-Cookie"))
        answer_headers = {k.lower(): v for k, v in response.headers.items()}
        return Answer(response.status_code, answer_headers, response.get_data(as_text=True))


def prepare(headers, form, json_body):
    """Headers and body for a request with an optional form or JSON body."""
    headers = dict(headers or {})
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if json_body is not None:
        body = json.dumps(json_body)
        headers["Content-Type"] = "application/json"
    return headers, body
