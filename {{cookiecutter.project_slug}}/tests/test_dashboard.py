"""The dashboard: the account, then the panels other parts add (``app/main/dashboard.py``)."""

import pytest
from flask import Blueprint

from app.main.dashboard import add_panel

# The panel's template, written with Jinja's variable marks spelled out so
# that this file holds no template syntax of its own.
PANEL = '<p class="probe">OPEN panel.greeting CLOSE OPEN panel.count CLOSE</p>'.replace(
    "OPEN", "{" * 2
).replace("CLOSE", "}" * 2)


@pytest.fixture
def add_probe_panel(app, tmp_path):
    """Add a test-only panel to the dashboard: ``made = add_probe_panel("Hello")``.

    It shows its greeting and how many times its variables were made, which
    ``made`` (a list) counts.
    """
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "panel.html").write_text(PANEL, encoding="utf-8")
    app.register_blueprint(Blueprint("probe", __name__, template_folder=tmp_path))

    def add(greeting):
        made = []

        def context():
            made.append(1)
            return {"greeting": greeting, "count": len(made)}

        add_panel(app, "probe/panel.html", context)
        return made

    return add


def test_the_dashboard_shows_the_account(client, auth, user):
    auth.login()
    page = client.get("/dashboard").text
    assert f'<dd class="user-email">{user.email}</dd>' in page


def test_a_panel_a_part_adds_is_shown_with_its_variables(client, auth, user, add_probe_panel):
    add_probe_panel("Hello")
    auth.login()
    assert '<p class="probe">Hello 1</p>' in client.get("/dashboard").text


def test_a_panels_variables_are_made_for_each_view(client, auth, user, add_probe_panel):
    made = add_probe_panel("Hello")
    auth.login()
    client.get("/dashboard")
    assert '<p class="probe">Hello 2</p>' in client.get("/dashboard").text
    assert len(made) == 2


def test_panels_follow_the_account_in_the_order_they_were_added(
    client, auth, user, add_probe_panel
):
    add_probe_panel("First")
    add_probe_panel("Second")
    auth.login()
    page = client.get("/dashboard").text
    assert page.index('class="user-email"') < page.index("First 1") < page.index("Second 1")


def test_other_pages_do_not_make_the_panels(client, auth, user, add_probe_panel):
    made = add_probe_panel("Hello")
    auth.login()
    client.get("/")
    assert made == []
