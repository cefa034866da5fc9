"""How Flask-Login finds the signed-in account, and the role checks views use."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from node.extensions import db, login_manager
from node.models import Account

F = TypeVar("F", bound=Callable[..., Any])


def init_login(app: Any) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_account(account_id: str) -> Account | None:
    if not account_id.isdigit():
        return None
    account = db.session.get(Account, int(account_id))
    return account if account is not None and account.is_active else None


def staff_required(view: F) -> F:
    """Admins and animators only; anyone else gets 403, anonymous people the login page."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def admin_required(view: F) -> F:
    """Admins only: community settings, roles, API tokens."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
