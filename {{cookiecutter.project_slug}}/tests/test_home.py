"""The home page's calls to action, and the icon every browser asks for."""


def test_the_home_page_asks_a_visitor_to_register_or_log_in(client):
    page = client.get("/").text
    assert 'href="/auth/register"' in page
    assert 'href="/auth/login"' in page
    assert 'rel="icon" href="/static/favicon.svg"' in page


def test_the_home_page_sends_a_signed_in_user_to_the_dashboard(client, auth, user):
    auth.login()
    page = client.get("/").text
    assert "Go to your dashboard" in page
    assert 'href="/auth/register"' not in page


def test_the_old_icon_address_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.location == "/static/favicon.svg"
    with client.get("/static/favicon.svg") as icon:  # a file: closed, or pytest warns
        assert icon.mimetype == "image/svg+xml"
