"""The one home of extension objects.

Each is created here unbound and attached to the app in ``create_app``, so
any module can import them without importing the app (no import cycles).
``redis_store`` is made in ``app/infrastructure/redis_client.py``, below this
module, whose sessions and jobs use it; it is named here with the others.
"""

from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.infrastructure.client_key import client_key
from app.infrastructure.database import Base
from app.infrastructure.database_session import RequestSession
from app.infrastructure.redis_client import redis_store

__all__ = ["Model", "csrf", "db", "limiter", "login_manager", "migrate", "redis_store"]

db = SQLAlchemy(model_class=Base, session_options={"class_": RequestSession})
# The base class of every model. ``db.Model`` is built when ``db`` is (a copy of
# ``Base`` with Flask-SQLAlchemy's mixins), which type checkers cannot follow:
# to them a model is a ``Base``, a SQLAlchemy declarative class like the real one.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# Keyed by the client's IPv4 address or IPv6 /64 (app/infrastructure/client_key.py):
# app/web/proxy.py has already put the address a trusted proxy saw in
# REMOTE_ADDR, so X-Forwarded-For entries sent by the client change nothing.
# Limits live in app/web/rate_limits.py, which relies on the
# fixed window (a refund is a decrement of the window's count).
limiter = Limiter(client_key, headers_enabled=False, strategy="fixed-window")
