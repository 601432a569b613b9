"""One key per client: an IPv4 address, or an IPv6 /64 however it is written."""

import pytest

from app.infrastructure.client_key import UNKNOWN_CLIENT, client_key_for
from tests.conftest import CSRF_TOKEN, EMAIL

WRONG = "not the password"


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:9::1", "2001:db8:9::/64"),
        # Another address of the same /64, and the same address written otherwise.
        ("2001:db8:9::ffff:1", "2001:db8:9::/64"),
        ("2001:DB8:9::1", "2001:db8:9::/64"),
        ("2001:db8:9:0:0:0:0:1", "2001:db8:9::/64"),
        ("2001:0db8:0009:0000:abcd:0000:0000:0001", "2001:db8:9::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        # An IPv4 client on a dual-stack socket is its IPv4 address.
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:c000:0201", "192.0.2.1"),
        # A unix socket's peer: no address, still a key (an empty one disables a limit).
        ("", UNKNOWN_CLIENT),
        (None, UNKNOWN_CLIENT),
        ("not an address", "not an address"),
    ],
)
def test_client_keys(address, key):
    assert client_key_for(address) == key


def test_other_ipv6_networks_are_other_clients():
    assert client_key_for("2001:db8:9:1::1") != client_key_for("2001:db8:9::1")


def failed_login_from(app, address):
    """Post a wrong password from a browser at ``address``; its status code."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    token = CSRF_TOKEN.search(browser.get("/auth/login").get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "email": EMAIL, "password": WRONG}
    return browser.post("/auth/login", data=data).status_code


def test_a_64_counts_as_one_client_however_its_addresses_are_written(app, user):
    app.config["LOGIN_FAILURE_RATE_LIMIT"] = "3 per minute"
    spellings = ["2001:db8:9::1", "2001:DB8:9::2", "2001:db8:9:0:0:0:0:3"]
    assert [failed_login_from(app, address) for address in spellings] == [200] * 3

    assert failed_login_from(app, "2001:db8:9::1") == 429
    assert failed_login_from(app, "2001:db8:9:0:ffff:ffff:ffff:ffff") == 429
    assert failed_login_from(app, "2001:db8:9:1::1") == 200  # the next /64


def test_an_ipv4_mapped_address_shares_its_ipv4_count(app, user):
    app.config["LOGIN_FAILURE_RATE_LIMIT"] = "2 per minute"
    assert failed_login_from(app, "192.0.2.1") == 200
    assert failed_login_from(app, "::ffff:192.0.2.1") == 200

    assert failed_login_from(app, "192.0.2.1") == 429
