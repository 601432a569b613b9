"""URL converters shared by every blueprint."""

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# The largest value of an SQL INTEGER column, the type of every primary key here.
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<id:name>``: a primary key, 1 to ``MAX_ROW_ID``; anything else is a 404.

    Werkzeug's plain ``int`` takes any size, and a 20-digit id would make
    PostgreSQL fail (a 500) instead of answering that there is no such row.
    """

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def init_app(app: Flask) -> None:
    """Make ``<id:...>`` available in every URL rule."""
    app.url_map.converters["id"] = RowIdConverter
