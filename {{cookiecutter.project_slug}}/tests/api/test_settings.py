"""The API's own setting: how long a bearer token lasts."""

import pytest

from config import ConfigError, load_settings
from tests.test_config import GOOD_PRODUCTION


@pytest.fixture
def production_env(monkeypatch):
    """The variables production requires, all present and valid."""
    for name, value in GOOD_PRODUCTION.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("lifetime", ["0", "-60"])
def test_an_api_token_lifetime_must_be_positive(production_env, monkeypatch, lifetime):
    monkeypatch.setenv("FLASK_API_TOKEN_LIFETIME_SECONDS", lifetime)
    with pytest.raises(ConfigError, match="API_TOKEN_LIFETIME_SECONDS must be a positive number"):
        load_settings("production")


def test_an_api_token_lifetime_must_be_a_whole_number(production_env, monkeypatch):
    monkeypatch.setenv("FLASK_API_TOKEN_LIFETIME_SECONDS", '"a week"')
    with pytest.raises(ConfigError, match="API_TOKEN_LIFETIME_SECONDS must be a whole number"):
        load_settings("production")


def test_api_tokens_last_a_week_by_default(production_env):
    assert load_settings("production")["API_TOKEN_LIFETIME_SECONDS"] == 7 * 24 * 3600


def test_the_api_token_lifetime_can_be_set(production_env, monkeypatch):
    monkeypatch.setenv("FLASK_API_TOKEN_LIFETIME_SECONDS", "3600")
    assert load_settings("production")["API_TOKEN_LIFETIME_SECONDS"] == 3600
