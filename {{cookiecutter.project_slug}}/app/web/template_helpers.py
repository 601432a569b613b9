"""Jinja globals and filters, registered in one place, and the navigation's extra links."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from flask.sansio.app import App

DATETIME_FORMAT = "%Y-%m-%d %H:%M UTC"
DATE_FORMAT = "%d %B %Y"


def format_datetime(value: datetime | None, fmt: str = DATETIME_FORMAT) -> str:
    """Show an aware datetime in UTC (the ``datetime`` filter); '' for None."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime(fmt)


def format_date(value: datetime | None) -> str:
    """Show only the day (the ``date`` filter); '' for None."""
    return format_datetime(value, DATE_FORMAT)


NAV_LINKS_KEY = "nav_links"


@dataclass(frozen=True)
class NavLink:
    """A link a part adds to the navigation, shown to logged-in users ``visible`` says."""

    label: str
    endpoint: str
    visible: Callable[[], bool]


def add_nav_link(app: App, label: str, endpoint: str, visible: Callable[[], bool]) -> None:
    """Show a link to ``endpoint`` in ``app``'s navigation whenever ``visible()`` is true."""
    app.extensions.setdefault(NAV_LINKS_KEY, []).append(NavLink(label, endpoint, visible))


def nav_links() -> list[NavLink]:
    """The extra navigation links for this request (the layout calls it for users only)."""
    return [link for link in current_app.extensions.get(NAV_LINKS_KEY, []) if link.visible()]


def template_globals() -> dict[str, Any]:
    """Names every template can use: the app's display name, the year, the extra links."""
    return {
        "app_name": current_app.config["APP_NAME"],
        "current_year": datetime.now(UTC).year,
        "nav_links": nav_links,
    }


def init_app(app: Flask) -> None:
    """Register the filters and the globals with the app's Jinja environment."""
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.context_processor(template_globals)
