"""What the dashboard's notes panel costs: one query, whatever the number of notes or the page.

The dashboard by itself costs one query (the login) and one Redis command
(``tests/test_request_budget.py``); the panel adds the page of notes, its
total riding along in the same query{% if cookiecutter.use_uploads %}, and one query for the attachments of
the page's notes (none when the page is empty){% endif %}.
"""

import pytest

from tests.notes.helpers import add_notes
from tests.request_counters import count_request
{%- if cookiecutter.use_uploads %}

# The query a page with notes adds for their attachments.
ATTACHMENT_QUERY = 1
{%- endif %}


@pytest.mark.parametrize("note_count", [0, 20])
def test_an_unchanged_dashboard_view_is_two_queries_and_one_redis_command(
    app, client, logged_in, note_count
):
    add_notes(app, logged_in.id, note_count)
    counts = count_request(app, client, "GET", "/dashboard")
    assert counts.status == 200
{%- if cookiecutter.use_uploads %}
    # The login, then the page of notes with its total riding along.
    assert counts.sql == 2 + (ATTACHMENT_QUERY if note_count else 0)
{%- else %}
    assert counts.sql == 2  # the login, then the page of notes with its total riding along
{%- endif %}
    assert (counts.redis_commands, counts.redis_round_trips) == (1, 1)  # GETEX, no write


def test_any_dashboard_page_is_one_query_for_the_notes(app, client, logged_in):
    add_notes(app, logged_in.id, 25)
    counts = count_request(app, client, "GET", "/dashboard?page=3")
    assert (counts.status, counts.sql, counts.redis_round_trips) == (200, 2{% if cookiecutter.use_uploads %} + ATTACHMENT_QUERY{% endif %}, 1)


def test_a_page_past_the_end_costs_one_more_query_to_count(app, client, logged_in):
    add_notes(app, logged_in.id, 3)
    counts = count_request(app, client, "GET", "/dashboard?page=9")
    assert (counts.status, counts.sql) == (200, 3)
