"""Jinja globals and filters, registered in one place, and what parts add to the navigation."""

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


NAV_ITEMS_KEY = "nav_items"


@dataclass(frozen=True)
class NavItem:
    """A template a part adds to the navigation of logged-in users, when ``visible()``."""

    template: str
    visible: Callable[[], bool]


def add_nav_item(app: App, template: str, visible: Callable[[], bool]) -> None:
    """Include ``template`` in ``app``'s navigation whenever ``visible()`` is true.

    So the layout (``templates/base.html``) names no part: removing one
    leaves nothing of it there.
    """
    app.extensions.setdefault(NAV_ITEMS_KEY, []).append(NavItem(template, visible))


def nav_items() -> list[str]:
    """The templates of this request's extra navigation items (the layout asks for users only)."""
    items: list[NavItem] = current_app.extensions.get(NAV_ITEMS_KEY, [])
    return [item.template for item in items if item.visible()]


def template_globals() -> dict[str, Any]:
    """Names every template can use: the app's display name, the year, the extra nav items."""
    return {
        "app_name": current_app.config["APP_NAME"],
        "current_year": datetime.now(UTC).year,
        "nav_items": nav_items,
    }


def init_app(app: Flask) -> None:
    """Register the filters and the globals with the app's Jinja environment."""
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.context_processor(template_globals)
