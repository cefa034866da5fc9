"""Flask extensions, created once here and bound to each app in :func:`node.create_app`.

Nothing here reads configuration at import time, so a test can run several nodes in one process.
"""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every node model."""


class NodeSession(FlaskSession):
    """The node's session class: ``create_app`` attaches the version bump and the change
    capture to it (:func:`node.sharing.changes.register`), so they run for node sessions
    only, never for a directory's in the same process, and never by an import alone."""


db = SQLAlchemy(model_class=Base, session_options={"class_": NodeSession})
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

