"""The register of decisions (page and CSV), the board of open actions, roles and charter,
and each member's personal calendar feed."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from node.decisions import bp
from node.decisions.forms import ActionForm
from node.decisions.manage import active_members
from node.extensions import db
from node.models import Action, Member, utcnow
from node.public.forms import ConfirmForm
from node.services import calendar, decision_register, meetings, personal_calendar, self_governance
from node.services.decisions import DecisionError


@bp.get("/decisions/registre")
@login_required
def register() -> ResponseReturnValue:
    rows = decision_register.rows()
    return render_template("node/decisions/register.html", rows=rows)


@bp.get("/decisions/registre.csv")
@login_required
def register_csv() -> ResponseReturnValue:
    response = Response(decision_register.as_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="registre-decisions.csv"'
    return response


@bp.get("/decisions/actions")
@login_required
def actions() -> ResponseReturnValue:
    form = ActionForm()
    form.owner.choices = [("", "—")] + [(m.uuid, m.display_name) for m in active_members()]
    return render_template("node/decisions/actions.html", actions=meetings.open_actions(),
                           form=form, confirm=ConfirmForm(), today=calendar.to_local(
                               utcnow()).date())


@bp.post("/decisions/actions")
@login_required
def add_action() -> ResponseReturnValue:
    form = ActionForm()
    form.owner.choices = [("", "—")] + [(m.uuid, m.display_name) for m in active_members()]
    if not form.validate_on_submit():
        flash(_("Dites ce qu'il faut faire (200 caractères au plus)."), "error")
        return redirect(url_for("decisions.actions"))
    owner = db.session.scalars(db.select(Member).where(Member.uuid == form.owner.data)).first()
    try:
        meetings.add_action(meetings.ActionInput(form.title.data or "", owner,
                                                 form.due_on.data))
    except DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Action ajoutée au tableau."), "success")
    return redirect(url_for("decisions.actions"))


@bp.post("/decisions/actions/<int:action_id>/faite")
@login_required
def action_done(action_id: int) -> ResponseReturnValue:
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    meetings.mark_done(action, action.done_at is None)
    db.session.commit()
    flash(_("Action « %(title)s » mise à jour.", title=action.title), "success")
    return redirect(url_for("decisions.actions"))


@bp.get("/decisions/gouvernance")
@login_required
def governance() -> ResponseReturnValue:
    today = calendar.to_local(utcnow()).date()
    days = int(current_app.config["MANDATE_REMINDER_DAYS"])
    return render_template("node/decisions/governance.html",
                           roles=self_governance.roles(today, timedelta(days=days)),
                           charter=self_governance.current_charter(),
                           history=self_governance.charter_history(), today=today)


@bp.get("/mon-agenda")
@login_required
def my_calendar() -> ResponseReturnValue:
    token = personal_calendar.token_for(current_user)
    db.session.commit()
    link = url_for("decisions.calendar_feed", jeton=token, _external=False)
    base = str(current_app.config["PUBLIC_URL"])
    return render_template("node/decisions/my_calendar.html", feed_url=base + link,
                           items=personal_calendar.items(current_user), confirm=ConfirmForm())


@bp.post("/mon-agenda/nouvelle-adresse")
@login_required
def renew_calendar() -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    personal_calendar.renew(current_user)
    db.session.commit()
    flash(_("Nouvelle adresse créée : l'ancienne ne fonctionne plus."), "success")
    return redirect(url_for("decisions.my_calendar"))


@bp.get("/mon-agenda.ics")
def calendar_feed() -> ResponseReturnValue:
    """Opened by a calendar application: the secret address is the only credential. The
    token travels in the query string, which the request log never writes."""
    account = personal_calendar.account_for(request.args.get("jeton", ""))
    if account is None:
        abort(404)
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "chaleur.local"
    body = personal_calendar.ics(account, host)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="mon-agenda.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response

