"""A small HTTP client that behaves like a browser where the tests need it to.

It keeps cookies itself (ignoring ``Secure``, since the test server speaks
plain HTTP even in production mode), never follows redirects on its own, and
remembers every ``Set-Cookie`` so tests can inspect the attributes.
"""

import http.client
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

FLASH_PATTERN = re.compile(r"""class=["']flash flash-([\w-]+)["']""")


@dataclass
class SetCookie:
    """One ``Set-Cookie`` header: name, value and its attributes (lower-cased)."""

    name: str
    value: str
    attributes: dict

    @classmethod
    def parse(cls, header):
        """Parse ``name=value; Attr; Attr=value`` (attribute names are case-insensitive)."""
        first, *rest = header.split(";")
        name, _, value = first.partition("=")
        attributes = {}
        for part in rest:
            key, _, attribute_value = part.strip().partition("=")
            attributes[key.lower()] = attribute_value
        return cls(name.strip(), value.strip(), attributes)

    @property
    def http_only(self):
        return "httponly" in self.attributes

    @property
    def secure(self):
        return "secure" in self.attributes

    @property
    def same_site(self):
        return self.attributes.get("samesite")

    @property
    def persistent(self):
        """True when the cookie outlives the browser session (Expires or Max-Age)."""
        return "expires" in self.attributes or "max-age" in self.attributes

    @property
    def deletes(self):
        """True when this header tells the browser to drop the cookie."""
        return (
            self.value == ""
            or self.attributes.get("max-age") == "0"
            or "1970" in self.attributes.get("expires", "")
        )


@dataclass
class Response:
    """What came back: status, headers, body text and the cookies set."""

    status: int
    headers: http.client.HTTPMessage
    text: str
    set_cookies: dict = field(default_factory=dict)

    @property
    def location(self):
        """The redirect target split into parts (path, query...), or None."""
        location = self.headers.get("Location")
        return urlsplit(location) if location else None

    @property
    def location_query(self):
        """The redirect target's query string, parsed."""
        return parse_qs(self.location.query)

    def json(self):
        return json.loads(self.text)

    def flashes(self):
        """The categories of the flash messages on this page, in order."""
        return FLASH_PATTERN.findall(self.text)

    def csrf_token(self):
        """The value of the first hidden ``csrf_token`` input on this page."""
        finder = InputFinder("csrf_token")
        finder.feed(self.text)
        assert finder.values, f"no csrf_token input in the page:\n{self.text[:2000]}"
        return finder.values[0]


class InputFinder(HTMLParser):
    """Collects the values of every ``<input name=...>`` with a given name."""

    def __init__(self, name):
        super().__init__()
        self.name = name
        self.values = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == self.name:
            self.values.append(attributes.get("value") or "")


class Browser:
    """One visitor with its own cookie jar, talking to one server."""

    def __init__(self, host, port, timeout=15):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.cookies = {}
        self.history = []

    def request(self, method, path, form=None, headers=None, json_body=None, body=None):
        """Send one request and update the cookie jar.

        A ``form`` is sent url-encoded, a ``json_body`` as JSON, a ``body`` as it is.
        """
        headers = dict(headers or {})
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        response = Response(raw.status, raw.headers, text)
        for header in raw.headers.get_all("Set-Cookie") or []:
            cookie = SetCookie.parse(header)
            response.set_cookies[cookie.name] = cookie
            if cookie.deletes:
                self.cookies.pop(cookie.name, None)
            else:
                self.cookies[cookie.name] = cookie.value
        self.history.append((method, path, response))
        return response

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, form, headers=None):
        return self.request("POST", path, form=form, headers=headers)

    def api(self, method, path, json_body=None, token=None, headers=None, body=None):
        """Call the JSON API, with a bearer ``token`` when given (and this jar's cookies)."""
        headers = {"Accept": "application/json", **(headers or {})}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.request(method, path, headers=headers, json_body=json_body, body=body)

    def follow(self, response):
        """GET the target of a redirect response."""
        assert response.status in (301, 302, 303, 307, 308), response.status
        target = response.location
        path = target.path + (f"?{target.query}" if target.query else "")
        return self.get(path)

    def register(self, email, password):
        """Fill in and send the registration form; return the response."""
        token = self.get("/auth/register").csrf_token()
        return self.post(
            "/auth/register",
            {
                "csrf_token": token,
                "email": email,
                "password": password,
                "confirm_password": password,
            },
        )

    def log_in(self, email, password, remember_me=False, next_path=None):
        """Fill in and send the login form (to ``?next=`` when given); return the response."""
        path = "/auth/login" + (f"?{urlencode({'next': next_path})}" if next_path else "")
        form = {"csrf_token": self.get(path).csrf_token(), "email": email, "password": password}
        if remember_me:
            form["remember_me"] = "y"
        return self.post(path, form)

    def log_out(self):
        """Send the logout form found on the dashboard; return the response."""
        token = self.get("/dashboard").csrf_token()
        return self.post("/auth/logout", {"csrf_token": token})
