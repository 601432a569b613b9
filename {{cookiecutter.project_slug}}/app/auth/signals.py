"""Signals the auth package sends, for other parts to act on without auth importing them."""

from blinker import Namespace

signals = Namespace()

# Sent with the user's id (``sender`` is the app) when every login of that
# user has been revoked: a password reset or change, or the account's
# deletion. A part that grants access by other means (bearer tokens, say)
# connects to it and revokes those too, in the same database transaction.
logins_revoked = signals.signal("logins-revoked")
{%- if cookiecutter.use_uploads %}

# Sent with the user's id (``sender`` is the app) just before an account is
# deleted, while its rows still exist. A receiver may return a function,
# called once the deletion is committed: what the database cannot remove by
# itself (files in storage, say) is read now and removed then.
account_deleting = signals.signal("account-deleting")
{%- endif %}
