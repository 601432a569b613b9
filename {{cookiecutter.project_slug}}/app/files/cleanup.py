"""Removing a deleted account's files from storage.

The account's rows go with it (``ON DELETE CASCADE``), so their keys must be
read before: ``delete_account`` asks every part through the
``account_deleting`` signal, and this receiver answers with what to do once
the deletion is committed.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask

from app.auth.signals import account_deleting
from app.files.service import keys_of_owner, remove_later


def collect_keys(_app: Flask, user_id: int, **_extra: Any) -> Callable[[], None]:
    """Read the user's keys now; remove them from storage after the commit."""
    return partial(remove_later, keys_of_owner(user_id))


def init_app(app: Flask) -> None:
    """Connect the receiver for this app."""
    account_deleting.connect(collect_keys, sender=app, weak=False)
