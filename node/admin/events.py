"""Managing rencontres: the organisers' list, the event form, cancelling, and attendance."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from node.admin import bp
from node.admin.event_forms import AttendanceForm, CancelForm, EventForm
from node.auth.session import staff_required
from node.extensions import db
from node.models import Event, Rsvp, RsvpStatus, Venue, utcnow
from node.public.forms import ConfirmForm
from node.services import calendar, event_notices, events, rsvps
from node.services.visibility import Viewer

ERROR_FIELDS = {"start_time", "end_time", "end_date", "title", "description", "capacity",
                "venue_id", "visibility"}
PICKER_DATES = 8


def _staff_viewer() -> Viewer:
    return Viewer.for_account(current_user)


def _event_or_404(event_uuid: str) -> Event:
    event: Event | None = db.session.scalars(
        db.select(Event).where(Event.uuid == event_uuid)).first()
    if event is None:
        abort(404)
    return event


def _venues() -> list[Venue]:
    return list(db.session.scalars(
        db.select(Venue).where(Venue.archived.is_(False)).order_by(Venue.name)))


@bp.get("/rencontres", endpoint="events")
@staff_required
def event_list() -> ResponseReturnValue:
    past = request.args.get("passees") == "1"
    viewer = _staff_viewer()
    items = events.past_events(viewer, 100) if past else events.upcoming_events(viewer, 100)
    counts = {(item.event.id, item.starts_at): rsvps.answers(item.event, item.starts_at)
              for item in items}
    return render_template("node/admin/events/list.html", items=items, past=past,
                           counts=counts, RsvpStatus=RsvpStatus)


@bp.route("/rencontres/nouvelle", methods=["GET", "POST"])
@staff_required
def event_new() -> ResponseReturnValue:
    form = EventForm()
    form.set_venues(_venues())
    if form.validate_on_submit():
        try:
            event = events.create_event(form.to_input(), created_by=current_user)
        except events.EventError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Rencontre « %(title)s » créée.", title=event.title), "success")
            return redirect(url_for("admin.events"))
    status = 400 if form.errors else 200
    return render_template("node/admin/events/form.html", form=form, event=None), status


@bp.route("/rencontres/<event_uuid>/modifier", methods=["GET", "POST"])
@staff_required
def event_edit(event_uuid: str) -> ResponseReturnValue:
    event = _event_or_404(event_uuid)
    form = EventForm()
    form.set_venues(_venues() + ([event.venue] if event.venue and event.venue.archived else []))
    if request.method == "GET":
        form.fill_from(event)
    elif form.validate_on_submit():
        try:
            change = events.update_event(event, form.to_input())
        except events.EventError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            told = event_notices.after_update(change)
            flash(_("Rencontre « %(title)s » enregistrée.", title=event.title), "success")
            if told:
                flash(ngettext("%(num)d personne inscrite a été prévenue du changement par "
                               "e-mail.", "%(num)d personnes inscrites ont été prévenues du "
                               "changement par e-mail.", told), "success")
            return redirect(url_for("admin.events"))
    status = 400 if form.errors else 200
    return render_template("node/admin/events/form.html", form=form, event=event), status


def _show_error(form: EventForm, error: events.EventError) -> None:
    """Put a service refusal beside the field it concerns."""
    name = error.field or "title"
    if name == "rrule":
        name = "rrule" if form.recurrence.data == "custom" else "recurrence"
    elif name not in ERROR_FIELDS:
        name = "title"
    target = getattr(form, name)
    target.errors = [*target.errors, str(error)]


@bp.route("/rencontres/<event_uuid>/annuler", methods=["GET", "POST"])
@staff_required
def event_cancel(event_uuid: str) -> ResponseReturnValue:
    """Cancel a rencontre; opened from one date of a series (``?quand=``), that date only
    unless the organiser chooses the whole series."""
    event = _event_or_404(event_uuid)
    occurrence = _named_occurrence(event) if event.rrule else None
    form = CancelForm()
    if form.validate_on_submit():
        if occurrence is not None and form.scope.data != "series":
            return _cancel_one_date(event, occurrence, form.message.data or "")
        try:
            events.cancel_event(event)
        except events.EventError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            told = event_notices.tell_cancelled(event, form.message.data or "")
            flash(ngettext("Rencontre annulée ; %(num)d personne prévenue par e-mail.",
                           "Rencontre annulée ; %(num)d personnes prévenues par e-mail.", told),
                  "success")
        return redirect(url_for("admin.events"))
    expected = event_notices.expected_answers(event)
    waiting = len([r for r in expected if occurrence is None
                   or r.occurrence_at == occurrence.starts_at])
    return render_template("node/admin/events/cancel.html", event=event, form=form,
                           occurrence=occurrence, waiting=waiting,
                           all_waiting=len(expected)), 422 if form.errors else 200


def _named_occurrence(event: Event) -> events.Occurrence | None:
    stamp = calendar.parse_utc_stamp(request.args.get("quand", ""))
    if stamp is None:
        return None
    found = events.occurrence_at(event, stamp)
    if found is None:
        abort(404)
    return found


def _cancel_one_date(event: Event, occurrence: events.Occurrence,
                     message: str) -> ResponseReturnValue:
    try:
        events.cancel_occurrence(event, occurrence.starts_at)
    except events.EventError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.events"))
    db.session.commit()
    told = event_notices.tell_cancelled(event, message, only=occurrence.starts_at)
    flash(ngettext("Date du %(when)s annulée ; %(num)d personne prévenue par e-mail.",
                   "Date du %(when)s annulée ; %(num)d personnes prévenues par e-mail.", told,
                   when=occurrence.when), "success")
    return redirect(url_for("admin.events"))


@bp.post("/rencontres/<event_uuid>/supprimer")
@staff_required
def event_delete(event_uuid: str) -> ResponseReturnValue:
    event = _event_or_404(event_uuid)
    if ConfirmForm().validate_on_submit():
        title = event.title
        events.delete_event(event)
        db.session.commit()
        flash(_("Rencontre « %(title)s » supprimée.", title=title), "success")
    return redirect(url_for("admin.events"))


@bp.route("/rencontres/<event_uuid>/presences", methods=["GET", "POST"])
@staff_required
def attendance(event_uuid: str) -> ResponseReturnValue:
    """Who answered one occurrence; once it started, tick who came."""
    event = _event_or_404(event_uuid)
    occurrence = _attendance_occurrence(event)
    form = AttendanceForm()
    if occurrence is not None and form.validate_on_submit():
        _save_attendance(event, occurrence)
        return redirect(url_for("admin.attendance", event_uuid=event.uuid, quand=occurrence.stamp))
    now = utcnow()
    nearby = (events.occurrences(event, now - events.PAST_WINDOW, now)[-PICKER_DATES:]
              + events.occurrences(event, now, now + calendar.SERIES_HORIZON)[:PICKER_DATES])
    answers = rsvps.answers(event, occurrence.starts_at) if occurrence else []
    return render_template("node/admin/events/attendance.html", event=event,
                           occurrence=occurrence, answers=answers, form=form,
                           nearby=list(dict.fromkeys(nearby)), RsvpStatus=RsvpStatus)


def _attendance_occurrence(event: Event) -> events.Occurrence | None:
    """The occurrence named by ``?quand=``, else the latest started one, else the next one."""
    try:
        return events.chosen_occurrence(event, request.values.get("quand", ""),
                                        prefer_started=True)
    except events.OccurrenceUnknown:
        abort(404)


def _save_attendance(event: Event, occurrence: events.Occurrence) -> None:
    if not occurrence.started:
        flash(_("La présence se note une fois la rencontre commencée."), "error")
        return
    shown = {int(v) for v in request.form.getlist("shown") if v.isdigit()}
    present = {int(v) for v in request.form.getlist("attended") if v.isdigit()}
    for rsvp in rsvps.answers(event, occurrence.starts_at):
        if rsvp.id in shown:
            rsvps.mark_attendance(rsvp, rsvp.id in present)
    db.session.commit()
    flash(_("Présences enregistrées."), "success")


@bp.post("/rencontres/reponses/<int:rsvp_id>/retirer")
@staff_required
def rsvp_remove(rsvp_id: int) -> ResponseReturnValue:
    rsvp = db.session.get(Rsvp, rsvp_id)
    if rsvp is None:
        abort(404)
    event_uuid, stamp = rsvp.event.uuid, calendar.as_utc_stamp(rsvp.occurrence_at)
    if ConfirmForm().validate_on_submit():
        freed = rsvps.remove_answer(rsvp)
        db.session.commit()
        rsvps.tell_freed(freed)  # mail leaves after the commit
        flash(_("Réponse retirée ; la liste d'attente a été mise à jour."), "success")
    return redirect(url_for("admin.attendance", event_uuid=event_uuid, quand=stamp))
