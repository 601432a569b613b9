"""The one home of extension objects.

Each is created here unbound and attached to the app in ``create_app``, so
any module can import them without importing the app (no import cycles).
"""

from flask_migrate import Migrate
from flask_session import Session
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.database import Base
from app.login_manager import LoginManager
from app.redis_store import RedisStore

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
server_session = Session()
redis_store = RedisStore()
