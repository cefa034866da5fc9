"""Opening a decision, and what its author (or the staff) do with it: close it early, adopt,
amend or withdraw a consent proposal, turn a dates poll into a rencontre."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from node.decisions import bp
from node.decisions.forms import DecisionForm, parse_date, parse_time
from node.decisions.views import decision_or_404, me, page_context
from node.extensions import db
from node.models import AccountStatus, Decision, DecisionKind, Event, Member, Subject, utcnow
from node.public.forms import ConfirmForm
from node.services import calendar, consent, events, villages
from node.services.decision_closing import adopt, close, make_rencontre
from node.services.decisions import (
    DecisionError,
    DecisionInput,
    Slot,
    may_manage,
    open_decision,
)
from node.services.self_governance import mandate_subject
from node.services.visibility import Viewer

KINDS = tuple(kind.value for kind in DecisionKind)
FORM_FIELDS = {"title", "description", "closes_date", "closes_time", "audience", "rencontre",
               "villages", "points_budget", "options", "role", "mandate_member",
               "mandate_end"}


def _rencontre_choices() -> list[tuple[str, str]]:
    upcoming = events.upcoming_events(Viewer.for_account(current_user), 30)
    past = events.past_events(Viewer.for_account(current_user), 10)
    return [(f"{item.event.uuid}|{item.stamp}", f"{item.event.title} — {item.when}")
            for item in upcoming + past]


def _member_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(member.uuid, member.display_name) for member in active_members()]


def _prepare(form: DecisionForm) -> None:
    form.rencontre.choices = [("", "—")] + _rencontre_choices()
    form.villages.choices = villages.invitable()
    form.mandate_member.choices = _member_choices()


def _slots() -> list[Slot]:
    found = []
    for row in range(1, 7):
        day = parse_date(request.form.get(f"slot-{row}-date", ""))
        start = parse_time(request.form.get(f"slot-{row}-start", ""))
        end = parse_time(request.form.get(f"slot-{row}-end", ""))
        if day and start and end:
            found.append(Slot(datetime.combine(day, start), datetime.combine(day, end)))
        elif day or start or end:
            raise DecisionError(_("Créneau %(n)s incomplet : date, début et fin.", n=row),
                                "slots")
    return found


def _rencontre(form: DecisionForm) -> tuple[Event | None, datetime | None]:
    event_uuid, _sep, stamp = (form.rencontre.data or "").partition("|")
    event = db.session.scalars(select(Event).where(Event.uuid == event_uuid)).first()
    return event, calendar.parse_utc_stamp(stamp) if event else None


def _input(kind: str, form: DecisionForm) -> DecisionInput:
    event, occurrence_at = _rencontre(form)
    subject, subject_data = Subject.NONE, {}
    if kind == DecisionKind.CONSENT and current_user.is_staff and form.subject.data:
        subject = Subject(form.subject.data)
        if subject == Subject.MANDATE:
            holder = db.session.scalars(select(Member).where(
                Member.uuid == form.mandate_member.data)).first()
            subject_data = mandate_subject(form.role.data or "", holder,
                                           form.mandate_start.data, form.mandate_end.data)
    return DecisionInput(
        kind=kind, title=form.title.data or "", description=form.description.data or "",
        closes_local=form.closes_local(), audience=form.audience.data or "community",
        event=event, occurrence_at=occurrence_at, anonymous=bool(form.anonymous.data),
        results_shown=form.results_shown.data or "during",
        points_budget=form.points_budget.data, options=(form.options.data or "").splitlines(),
        slots=_slots() if kind == DecisionKind.DATES else [], shared=bool(form.shared.data),
        villages=list(form.villages.data or []), subject=subject, subject_data=subject_data)


@bp.get("/decisions/nouvelle")
@login_required
def choose_kind() -> ResponseReturnValue:
    return render_template("node/decisions/choose.html")


@bp.route("/decisions/nouvelle/<kind>", methods=["GET", "POST"])
@login_required
def new(kind: str) -> ResponseReturnValue:
    if kind not in KINDS:
        abort(404)
    form = DecisionForm()
    _prepare(form)
    if form.validate_on_submit():
        try:
            decision = open_decision(_input(kind, form), me())
            villages.offer(decision)
        except DecisionError as error:
            db.session.rollback()
            target = getattr(form, error.field or "", None) if error.field in FORM_FIELDS \
                else None
            if target is not None:
                target.errors = [*target.errors, str(error)]
            else:
                flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Décision ouverte : partagez-la avec la communauté."), "success")
            return redirect(url_for("decisions.show", decision_uuid=decision.uuid))
    status = 400 if request.method == "POST" else 200
    return render_template("node/decisions/form.html", form=form, kind=kind,
                           slots=request.form if request.method == "POST" else {}), status


def _managed(decision_uuid: str, allowed: Callable[[Decision], bool]) -> Decision:
    decision = decision_or_404(decision_uuid)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not allowed(decision):
        abort(403)
    return decision


def _done(decision: Decision, message: str) -> ResponseReturnValue:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("decisions.show", decision_uuid=decision.uuid))


def _refused(decision: Decision, error: DecisionError) -> ResponseReturnValue:
    db.session.rollback()
    flash(str(error), "error")
    return render_template("node/decisions/show.html", **page_context(decision)), 409


@bp.post("/decisions/<decision_uuid>/clore")
@login_required
def close_now(decision_uuid: str) -> ResponseReturnValue:
    decision = _managed(decision_uuid, lambda d: may_manage(d, current_user))
    if decision.is_remote:
        abort(403)
    close(decision)
    return _done(decision, _("Décision close ; le résultat part par e-mail."))


@bp.post("/decisions/<decision_uuid>/adopter")
@login_required
def adopt_now(decision_uuid: str) -> ResponseReturnValue:
    decision = _managed(decision_uuid, lambda d: may_manage(d, current_user))
    try:
        adopt(decision)
    except DecisionError as error:
        return _refused(decision, error)
    return _done(decision, _("Proposition adoptée."))


@bp.post("/decisions/<decision_uuid>/retirer")
@login_required
def withdraw(decision_uuid: str) -> ResponseReturnValue:
    decision = _managed(decision_uuid, lambda d: True)
    try:
        consent.withdraw(decision, me())
    except DecisionError as error:
        return _refused(decision, error)
    return _done(decision, _("Proposition retirée ; elle reste au registre."))


@bp.post("/decisions/<decision_uuid>/amender")
@login_required
def amend(decision_uuid: str) -> ResponseReturnValue:
    decision = _managed(decision_uuid, lambda d: True)
    integrations = {key.removeprefix("integration-"): value
                    for key, value in request.form.items() if key.startswith("integration-")}
    try:
        consent.amend(decision, me(), request.form.get("text", ""), integrations)
    except DecisionError as error:
        return _refused(decision, error)
    return _done(decision, _("Nouvelle version publiée : chacun·e est invité·e à redonner "
                             "son avis."))


@bp.post("/decisions/<decision_uuid>/rencontre")
@login_required
def to_rencontre(decision_uuid: str) -> ResponseReturnValue:
    decision = _managed(decision_uuid, lambda d: may_manage(d, current_user))
    try:
        event = make_rencontre(decision, current_user)
    except DecisionError as error:
        return _refused(decision, error)
    db.session.commit()
    flash(_("Rencontre créée ; les personnes qui ont répondu au sondage sont prévenues par "
            "e-mail."), "success")
    return redirect(url_for("public.event", event_uuid=event.uuid))


def active_members() -> list[Member]:
    return list(db.session.scalars(select(Member).join(Member.account).where(
        Member.account.has(status=AccountStatus.ACTIVE)).order_by(Member.display_name)))


def today_local() -> str:
    return calendar.to_local(utcnow()).date().isoformat()
