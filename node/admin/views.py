"""The admin dashboard: the week's figures at a glance and a way into every admin page."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from node.admin import bp
from node.auth.session import staff_required
from node.models import utcnow
from node.services.figures import RECENT_MONTHS, UPCOMING_DAYS, dashboard_figures


@bp.get("/")
@staff_required
def dashboard() -> ResponseReturnValue:
    return render_template("node/admin/dashboard.html", figures=dashboard_figures(utcnow()),
                           recent_months=RECENT_MONTHS, upcoming_days=UPCOMING_DAYS)
