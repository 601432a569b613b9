"""Jinja globals and filters, registered in one place."""

from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app

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


def template_globals() -> dict[str, Any]:
    """Names every template can use: the app's display name and the year."""
    return {
        "app_name": current_app.config["APP_NAME"],
        "current_year": datetime.now(UTC).year,
    }


def init_app(app: Flask) -> None:
    """Register the filters and the globals with the app's Jinja environment."""
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.context_processor(template_globals)
