"""A rencontre's ordre du jour (any member opens it, adds to it, prioritises it) and
« Clore la rencontre » (staff: minutes, attendance, decisions taken, actions)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from node.auth.session import staff_required
from node.decisions import bp
from node.decisions.forms import MeetingForm, parse_date
from node.decisions.manage import active_members
from node.decisions.views import me
from node.extensions import db
from node.models import Event, Member, RsvpStatus
from node.public.forms import ConfirmForm
from node.services import calendar, events, meetings, rsvps
from node.services.decisions import DecisionError
from node.services.visibility import Viewer

ACTION_ROWS = 5


def _occurrence(event_uuid: str) -> tuple[Event, datetime]:
    event = events.find_event(event_uuid, Viewer.for_account(current_user))
    quand = request.args.get("quand", "")
    try:
        occurrence = events.chosen_occurrence(event, quand) if event and quand else None
    except events.OccurrenceUnknown:
        occurrence = None
    if event is None or occurrence is None:
        abort(404)
    return event, occurrence.starts_at


@bp.route("/rencontres/<event_uuid>/ordre-du-jour", methods=["GET", "POST"])
@login_required
def agenda(event_uuid: str) -> ResponseReturnValue:
    event, when = _occurrence(event_uuid)
    existing = meetings.agenda_of(event, when)
    if existing is not None:
        return redirect(url_for("decisions.show", decision_uuid=existing.uuid))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            decision = meetings.open_agenda(event, when, me())
        except DecisionError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Ordre du jour ouvert : ajoutez vos sujets."), "success")
            return redirect(url_for("decisions.show", decision_uuid=decision.uuid))
    return render_template("node/decisions/agenda_open.html", event=event, when=when,
                           stamp=calendar.as_utc_stamp(when), form=form)


def _actions_from_form(members: dict[str, Member]) -> list[meetings.ActionInput]:
    found = []
    for row in range(1, ACTION_ROWS + 1):
        title = request.form.get(f"action-{row}-title", "")
        if not title.strip():
            continue
        found.append(meetings.ActionInput(
            title, members.get(request.form.get(f"action-{row}-owner", "")),
            parse_date(request.form.get(f"action-{row}-due", ""))))
    return found


@bp.route("/rencontres/<event_uuid>/clore", methods=["GET", "POST"])
@staff_required
def close_meeting(event_uuid: str) -> ResponseReturnValue:
    event, when = _occurrence(event_uuid)
    members = {member.uuid: member for member in active_members()}
    record = meetings.meeting_record(event, when)
    form = MeetingForm(obj=record)
    status = 200
    if form.validate_on_submit():
        try:
            meetings.close_meeting(event, when, form.minutes.data or "", me(),
                                   _actions_from_form(members))
        except DecisionError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 400
        else:
            db.session.commit()
            flash(_("Rencontre close : compte rendu et actions enregistrés."), "success")
            return redirect(url_for("decisions.meeting", event_uuid=event.uuid,
                                    quand=calendar.as_utc_stamp(when)))
    answers = rsvps.answers(event, when)
    return render_template(
        "node/decisions/meeting_close.html", event=event, when=when, form=form,
        stamp=calendar.as_utc_stamp(when), members=list(members.values()),
        rows=range(1, ACTION_ROWS + 1), answers=answers, RsvpStatus=RsvpStatus,
        taken=meetings.decisions_taken(event, when)), status


@bp.get("/rencontres/<event_uuid>/compte-rendu")
@login_required
def meeting(event_uuid: str) -> ResponseReturnValue:
    event, when = _occurrence(event_uuid)
    record = meetings.meeting_record(event, when)
    if record is None:
        abort(404)
    present = [answer for answer in rsvps.answers(event, when) if answer.attended]
    return render_template(
        "node/decisions/meeting.html", event=event, when=when, record=record, present=present,
        taken=meetings.decisions_taken(event, when), agenda=meetings.agenda_of(event, when),
        actions=[a for a in meetings.open_actions() if a.meeting_id == record.id]
        + [a for a in _done_actions(record.id)], stamp=calendar.as_utc_stamp(when))


def _done_actions(meeting_id: int) -> list[object]:
    from node.models import Action

    return list(db.session.scalars(db.select(Action).where(
        Action.meeting_id == meeting_id, Action.done_at.is_not(None))))
