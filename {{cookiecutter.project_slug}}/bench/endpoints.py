"""The request types measured, what each must answer, and the request budget.

Each is checked once before it is measured: a page that answers with
something else would be measured fast and wrong (a dashboard redirecting to
the login form{% if cookiecutter.use_api and cookiecutter.use_example_notes %}, a notes list that is not the 20 notes{% endif %}), so the run
stops instead. The budget: throughput as a share of the bare app's, and a
p99 latency under four times the p50.
"""

from dataclasses import dataclass
{%- if cookiecutter.use_api and cookiecutter.use_example_notes %}

from bench.fixtures import NOTE_COUNT
{%- endif %}

P99_OVER_P50_BUDGET = 4.0


class CheckError(Exception):
    """An endpoint did not answer as it must before being measured."""


@dataclass(frozen=True)
class Endpoint:
    """One request type: its path, the credentials it carries and its budget."""

    path: str
    credentials: str  # "none"{% if cookiecutter.use_api %}, "cookie" or "token"{% else %} or "cookie"{% endif %}
    min_ratio: float | None

    def headers(self, visitor):
        """The request headers, credentials included."""
        if self.credentials == "cookie":
            return visitor.cookie_headers()
{%- if cookiecutter.use_api %}
        if self.credentials == "token":
            return visitor.bearer_headers()
{%- endif %}
        return {}

    def check(self, answer, visitor):
        """Raise ``CheckError`` unless ``answer`` is this endpoint's expected 200."""
        if 300 <= answer.status < 400:
            raise CheckError(
                f"GET {self.path} redirected to {answer.headers.get('location')} "
                f"(status {answer.status}); the {self.credentials} credentials were not "
                "accepted, so nothing was measured"
            )
        if answer.status != 200:
            raise CheckError(f"GET {self.path} answered {answer.status}: {answer.text[:300]}")
        problem = self.content_problem(answer, visitor)
        if problem:
            raise CheckError(f"GET {self.path} answered 200 but {problem}")

    def content_problem(self, answer, visitor):
        if self.path == "/dashboard" and visitor.email not in answer.text:
            return "the page does not show the bench user's email"
{%- if cookiecutter.use_api and cookiecutter.use_example_notes %}
        if self.path == "/api/v1/notes":
            body = answer.json()
            if body.get("total") != NOTE_COUNT or len(body.get("items", ())) != NOTE_COUNT:
                return f"it does not list the {NOTE_COUNT} notes: total={body.get('total')}"
{%- elif cookiecutter.use_api %}
        if self.path == "/api/v1/users/me" and answer.json().get("email") != visitor.email:
            return "it does not show the bench user's account"
{%- endif %}
        if self.path == "/health" and answer.json().get("status") != "ok":
            return f"the checks failed: {answer.text[:200]}"
        if self.path == "/" and "html" not in answer.headers.get("content-type", ""):
            return "it is not an HTML page"
        return None


ENDPOINTS = (
    Endpoint("/", "none", None),
    Endpoint("/dashboard", "cookie", 0.55),
{%- if cookiecutter.use_api and cookiecutter.use_example_notes %}
    Endpoint("/api/v1/notes", "token", 0.60),
{%- elif cookiecutter.use_api %}
    Endpoint("/api/v1/users/me", "token", 0.60),
{%- endif %}
    Endpoint("/health", "none", 0.70),
)


def check_bare(answer):
    """Raise ``CheckError`` unless the bare app answered its 200 "ok"."""
    if answer.status != 200 or answer.text != "ok":
        raise CheckError(f"the bare app answered {answer.status}: {answer.text[:200]}")
