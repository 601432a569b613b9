"""The files users store: what is kept of each, under which rules, and how it is served.

A layer of its own, between the parts and ``auth``: the avatar (``account``)
and note attachments both store through it, so neither owns the rules.

- ``models.py``: ``StoredFile``, one row per stored file (key, size, type, name, owner).
- ``names.py``: the client's file name, cleaned for display and download.
- ``sniffing.py``: the content type judged from the bytes, only for harmless types.
- ``service.py``: storing under the quota (file first, then the row) and deleting
  (the row, then the file by a retried job).
- ``downloads.py``: the response that hands a file over without letting it render.
- ``commands.py``: ``flask files orphans``.

The backends themselves (a directory, S3) live in ``app/infrastructure/storage*.py``.
"""
