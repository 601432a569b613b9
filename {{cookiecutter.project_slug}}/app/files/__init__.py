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

A part that stores files for a user goes through three calls:

    upload = receive(request.files.get("file"), current_app.config["UPLOAD_MAX_BYTES"])
    with storing(user.id, upload, "attachment") as stored:  # 413 past the quota, 503 if down
        ...  # rows of its own naming stored.id, committed with the file's row
    return download_response(stored)  # later: the bytes, never rendered on this site

and ``delete_files([stored])`` to remove one (the row now, the bytes by a job).
``Upload.from_stream(io.BytesIO(data), "name.png")`` stores bytes made by the
app (a re-encoded image). The backends themselves (a directory, S3) live in
``app/infrastructure/storage*.py``.
"""
