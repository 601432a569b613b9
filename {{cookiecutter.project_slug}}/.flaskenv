# Read by `flask` and `python manage.py` (python-dotenv). Safe to commit:
# secrets belong in .env, which is not committed.
FLASK_APP=app
