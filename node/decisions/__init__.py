"""Deciding together: decisions and their answers, rencontres that lead to actions, the
register, roles and charter. Pages for signed-in members (the personal calendar feed aside:
it is opened by a calendar application with its secret address)."""

from flask import Blueprint

bp = Blueprint("decisions", __name__)

from node.decisions import (  # noqa: E402,F401
    governance_views,
    manage,
    meeting_views,
    views,
)


def init_templates(app: object) -> None:
    """Template helpers of the decision pages (registered by :func:`node.create_app`)."""
    from datetime import date, datetime
    from typing import Any

    from flask import Flask
    from flask_babel import format_date
    from flask_babel import gettext as _

    from node.decisions.charts import grade_names
    from node.services import calendar
    from node.services.notice_texts import outcome_line

    assert isinstance(app, Flask)

    def format_day(value: date | datetime) -> str:
        day = calendar.to_local(value).date() if isinstance(value, datetime) else value
        return str(format_date(day, "d MMMM y"))

    def value_label(decision: Any, value: int) -> str:
        if decision.kind == "dates":
            return str([_("non"), _("si nécessaire"), _("oui")][value])
        if decision.kind == "judgment":
            return grade_names()[value]
        if decision.kind == "consent":
            return str([_("objection"), _("abstention"), _("consentement")][value])
        if decision.kind == "points":
            return str(_("%(n)s pts", n=value))
        return "+1"

    app.add_template_filter(format_day, "format_day")
    app.add_template_global(calendar.describe_moment, "describe_moment")
    app.add_template_global(calendar.as_utc_stamp, "utc_stamp")
    app.add_template_global(outcome_line, "outcome_line")
    app.add_template_global(value_label, "value_label")
