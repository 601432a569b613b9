"""``/api/v1/items``: a test-only resource, written as a project's own resource would be.

The API's machinery (authentication, CSRF, problem details, ``@operation``,
pagination, the OpenAPI document) is tested through it and through the
resources the API always has (tokens, users/me), so those tests hold
whichever other parts a project keeps. Items live in memory, per app.
"""

import itertools
from dataclasses import dataclass, field

from flask import abort, current_app, g, url_for
from flask.views import MethodView

from app.api.auth import authenticate
from app.api.operations import operation
from app.api.schemas import Input, Output, PageQuery, storable_text_type

TITLE_MAX_LENGTH = 50
STORE_KEY = "test_items"

Title = storable_text_type(min_length=1, max_length=TITLE_MAX_LENGTH)


@dataclass
class Item:
    """One stored item."""

    id: int
    owner_id: int
    title: str
    body: str


@dataclass
class ItemStore:
    """One app's items by id, and the ids still to give."""

    items: dict[int, Item] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))


class ItemIn(Input):
    """A new item."""

    title: Title
    body: str = ""


class ItemPatch(Input):
    """A new title for an item."""

    title: Title


class ItemOut(Output):
    """An item as the API shows it."""

    id: int
    title: str
    body: str


class ItemPageOut(Output):
    """One page of the caller's items, newest first."""

    items: list[ItemOut]
    page: int
    per_page: int
    total: int


def store():
    """The current app's items."""
    return current_app.extensions.setdefault(STORE_KEY, ItemStore())


def owned_item(item_id):
    """The caller's item ``item_id``, or 404."""
    item = store().items.get(item_id)
    if item is None or item.owner_id != g.user.id:
        abort(404, "There is no item with this id.")
    return item


class ItemListView(MethodView):
    """The caller's items."""

    decorators = [authenticate()]

    @operation(query=PageQuery, response=ItemPageOut)
    def get(self, query):
        """List the caller's items, newest first."""
        mine = [item for item in reversed(store().items.values()) if item.owner_id == g.user.id]
        start = (query.page - 1) * query.per_page
        items = mine[start : start + query.per_page]
        return {"items": items, "page": query.page, "per_page": query.per_page, "total": len(mine)}

    @operation(body=ItemIn, response=ItemOut, status=201)
    def post(self, body):
        """Add an item; the Location header gives its URL."""
        item = Item(next(store().ids), g.user.id, body.title, body.body)
        store().items[item.id] = item
        return item, {"Location": url_for("api.item", item_id=item.id)}


class ItemView(MethodView):
    """One of the caller's items."""

    decorators = [authenticate()]

    @operation(response=ItemOut, errors=(404,))
    def get(self, item_id):
        """Show one item."""
        return owned_item(item_id)

    @operation(body=ItemPatch, response=ItemOut, errors=(404,))
    def patch(self, item_id, body):
        """Change an item's title."""
        item = owned_item(item_id)
        item.title = body.title
        return item

    @operation(status=204, errors=(404,))
    def delete(self, item_id):
        """Delete an item."""
        del store().items[owned_item(item_id).id]


def mount_items(app):
    """Mount the resource on ``app`` as part of the API (before its first request)."""
    app.add_url_rule("/api/v1/items", view_func=ItemListView.as_view("api.items"))
    app.add_url_rule("/api/v1/items/<id:item_id>", view_func=ItemView.as_view("api.item"))
