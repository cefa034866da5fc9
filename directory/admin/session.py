"""How Flask-Login finds the signed-in coordinator."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from directory.extensions import db, login_manager
from directory.models import Coordinator
from webui.bandwidth import SiteSessionInterface


class DirectorySessionInterface(SiteSessionInterface):
    """Session cookies signed apart from a node's.

    An operator may run a node and the directory from one ``.env`` (one SECRET_KEY): with
    Flask's default salt, a node member's session cookie would then load coordinator #id.
    """

    salt = "chaleur-directory-session"


def init_login(app: Flask) -> None:
    app.session_interface = DirectorySessionInterface()
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à la coordination.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_coordinator(account_id: str) -> Coordinator | None:
    if not account_id.isdigit():
        return None
    account = db.session.get(Coordinator, int(account_id))
    return account if account is not None and account.active else None
