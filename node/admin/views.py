"""The admin dashboard: the week's figures at a glance and a way into every admin page."""

from __future__ import annotations

from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from node.admin import bp
from node.auth.session import staff_required
from node.models import Role, utcnow
from node.services.account_mail import public_link
from node.services.figures import RECENT_MONTHS, UPCOMING_DAYS, dashboard_figures
from node.services.mail import WrittenLink, links_written


@bp.get("/")
@staff_required
def dashboard() -> ResponseReturnValue:
    return render_template("node/admin/dashboard.html", figures=dashboard_figures(utcnow()),
                           recent_months=RECENT_MONTHS, upcoming_days=UPCOMING_DAYS,
                           written_links=_links_to_pass_on())


def _links_to_pass_on() -> list[WrittenLink]:
    """Without a mail server, the invitation and reset links an admin must send by hand.

    Admins only: a reset link opens the account it was made for."""
    if current_app.config["MAIL_BACKEND"] != "file" or current_user.role != Role.ADMIN:
        return []
    prefixes = tuple(public_link(endpoint, token="T")[:-1]
                     for endpoint in ("auth.accept_invitation", "auth.reset_password"))
    return links_written(prefixes)
