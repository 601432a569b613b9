"""Project commands: ``python manage.py --help``.

A click ``FlaskGroup`` around the application factory, so every ``flask``
command works here too (``run``, ``shell``, ``routes``, ``db ...``) along
with the app's own (``create-user``). It reads ``.flaskenv`` and ``.env``
like ``flask`` does.
"""

from flask.cli import FlaskGroup

from app import create_app

cli = FlaskGroup(create_app=create_app, help="Commands for this project (flask's, and its own).")


if __name__ == "__main__":
    cli()
