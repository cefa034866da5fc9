"""Public rencontre pages: the list, one event, answers, and the iCalendar feeds.

Every lookup goes through the viewer's visibility: an event a viewer may not see answers 404,
exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from node.extensions import db, limiter, login_manager
from node.models import Event, Rsvp, RsvpStatus, Venue, utcnow
from node.public import bp, jsonld
from node.public.forms import AnswerForm, ConfirmForm, GuestAnswerForm
from node.services import calendar, events, meetings, rsvps
from node.services.community import commune_name, current_community
from node.services.visibility import Viewer
from webui.village_sign_in import current_member as network_member
from webui.village_sign_in import renew as renew_sign_in

SERIES_DATES_SHOWN = 8


def viewer() -> Viewer:
    """A member of this village, a member of another village signed in here with their
    village (« Réseau » rencontres too), or an anonymous visitor."""
    if current_user.is_authenticated:
        return Viewer.for_account(current_user)
    return Viewer.network() if network_member() is not None else Viewer.anonymous()


def visitor() -> rsvps.Visitor | None:
    """The member of another village signed in here, as an answer's author."""
    member = network_member()
    if member is None or current_user.is_authenticated:
        return None
    return rsvps.Visitor(member.village, member.subject, member.name)


def _visible_or_404(event_uuid: str) -> Event:
    event = events.find_event(event_uuid, viewer())
    if event is None:
        abort(404)
    return event


@bp.get("/rencontres", endpoint="events")
def events_list() -> ResponseReturnValue:
    past = request.args.get("passees") == "1"
    items = events.past_events(viewer()) if past else events.upcoming_events(viewer(), 50)
    return render_template("node/events/list.html", items=items, past=past)


@bp.get("/rencontres.ics")
def events_ics() -> ResponseReturnValue:
    """The public feed: every public event, series included, cancelled ones marked."""
    rows = events.calendar_events(Viewer.anonymous())
    community = current_community()
    name = community.name if community else "Chaleur"
    return _ics_response(calendar.ics_calendar(rows, _event_link, _host(), name), "rencontres")


@bp.get("/rencontres/<event_uuid>.ics")
def event_ics(event_uuid: str) -> ResponseReturnValue:
    event = _visible_or_404(event_uuid)
    body = calendar.ics_calendar([event], _event_link, _host(), event.title)
    return _ics_response(body, "rencontre", private=event.visibility != "public")


@bp.get("/rencontres/<event_uuid>")
def event(event_uuid: str) -> ResponseReturnValue:
    event = _visible_or_404(event_uuid)
    occurrence = _chosen_occurrence(event)
    return _render_event(event, occurrence, AnswerForm(), GuestAnswerForm())


@bp.post("/rencontres/<event_uuid>/reponse")
def event_answer(event_uuid: str) -> ResponseReturnValue:
    """A member's answer; or a visitor's, signed in with their village (their village is
    told, and mails them: see node.sharing.visitor_answers)."""
    guest = visitor()
    if not current_user.is_authenticated and guest is None:
        return renew_sign_in(_answered_page(event_uuid)) \
            or login_manager.unauthorized()  # type: ignore[no-any-return]
    event = _visible_or_404(event_uuid)
    form = AnswerForm()
    starts_at = calendar.parse_utc_stamp(form.occurrence.data or "")
    if not form.validate() or starts_at is None:
        flash(_("Choisissez votre réponse."), "error")
        return redirect(url_for("public.event", event_uuid=event.uuid))
    try:
        answer = rsvps.respond(event, starts_at, form.status.data, visitor=guest,
                               member=current_user.member if guest is None else None)
    except rsvps.RsvpError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        rsvps.answered(answer)  # mail leaves after the commit
        flash(_status_message(answer.rsvp), "success")
    return redirect(url_for("public.event", event_uuid=event.uuid,
                            quand=calendar.as_utc_stamp(starts_at)))


@bp.post("/rencontres/<event_uuid>/invite")
@limiter.limit(lambda: str(current_app.config["SIGNUP_RATE_LIMIT"]))
def event_guest_answer(event_uuid: str) -> ResponseReturnValue:
    event = _visible_or_404(event_uuid)
    form = GuestAnswerForm()
    starts_at = calendar.parse_utc_stamp(form.occurrence.data or "")
    occurrence = events.occurrence_at(event, starts_at) if starts_at else None
    if occurrence is None:
        abort(400)
    if not form.validate():
        return _render_event(event, occurrence, AnswerForm(), form), 400
    try:
        answer = rsvps.respond(event, occurrence.starts_at, form.status.data,
                               guest_name=form.guest_name.data,
                               guest_email=form.guest_email.data)
    except rsvps.RsvpError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render_event(event, occurrence, AnswerForm(), form), 400
    db.session.commit()
    rsvps.answered(answer)  # mail leaves after the commit
    flash(_status_message(answer.rsvp) + " "
          + _("Un e-mail de confirmation vous a été envoyé, avec un lien pour annuler."),
          "success")
    return redirect(url_for("public.event", event_uuid=event.uuid, quand=occurrence.stamp))


@bp.route("/rencontres/annulation", methods=["GET", "POST"])
def guest_cancel() -> ResponseReturnValue:
    """A guest's cancel link: GET asks (mail scanners open links), POST cancels.

    The token travels in the query string, which the request log never writes.
    """
    token = request.args.get("jeton", "")
    rsvp = rsvps.find_guest_answer(token)
    if rsvp is None:
        abort(404)
    form = ConfirmForm()
    done = False
    if form.validate_on_submit():
        try:
            freed = rsvps.cancel_guest_answer(token)
        except rsvps.RsvpError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            rsvps.tell_freed(freed)  # mail leaves after the commit
            done = True
    occurrence = events.occurrence_at(rsvp.event, rsvp.occurrence_at)
    return render_template("node/events/guest_cancel.html", rsvp=rsvp, form=form,
                           occurrence=occurrence, done=done)


def _answered_page(event_uuid: str) -> str:
    """The rencontre page (and date) a refused answer came from, to go back to."""
    starts_at = calendar.parse_utc_stamp(request.form.get("occurrence", ""))
    return url_for("public.event", event_uuid=event_uuid,
                   quand=calendar.as_utc_stamp(starts_at) if starts_at else None)


def _status_message(rsvp: Rsvp) -> str:
    position = rsvps.waitlist_position(rsvp)
    if position is not None:
        return str(_("La rencontre est complète : vous êtes n° %(position)s sur la liste "
                     "d'attente.", position=position))
    return str({
        RsvpStatus.GOING: _("C'est noté : vous venez."),
        RsvpStatus.MAYBE: _("C'est noté : vous viendrez peut-être."),
        RsvpStatus.NOT_GOING: _("C'est noté : vous ne venez pas."),
    }[RsvpStatus(rsvp.status)])


def _chosen_occurrence(event: Event) -> events.Occurrence | None:
    """The occurrence named in ``?quand=``, else the next one, else the last one."""
    try:
        return events.chosen_occurrence(event, request.args.get("quand", ""))
    except events.OccurrenceUnknown:
        abort(404)


def _render_event(event: Event, occurrence: events.Occurrence | None, form: AnswerForm,
                  guest_form: GuestAnswerForm) -> str:
    now = utcnow()
    series = events.occurrences(event, now, now + calendar.SERIES_HORIZON)[:SERIES_DATES_SHOWN]
    mine = None
    counts = {"going": 0, "waitlisted": 0, "places_left": None}
    data = None
    full = False
    if occurrence is not None:
        counts = _counts(event, occurrence.starts_at)
        full = rsvps.is_full(event, occurrence.starts_at)
        mine = _mine(event, occurrence.starts_at)
        form.occurrence.data = occurrence.stamp
        guest_form.occurrence.data = occurrence.stamp
        if mine is not None and mine.status != RsvpStatus.WAITLISTED:
            form.status.data = mine.status
        data = jsonld.script_safe_json(jsonld.event_data(
            occurrence, _event_link(event), current_community(),
            current_app.config["PUBLIC_URL"]))
    record = meetings.meeting_record(event, occurrence.starts_at) if occurrence else None
    return render_template(
        "node/events/event.html", event=event, occurrence=occurrence, series=series,
        meeting_closed=record is not None and record.closed_at is not None,
        counts=counts, mine=mine, form=form, guest_form=guest_form, json_ld=data,
        full=full, position=rsvps.waitlist_position(mine) if mine is not None else None,
        open=occurrence is not None and not occurrence.cancelled and not occurrence.started,
        venue_commune=venue_commune)


def _mine(event: Event, starts_at: datetime) -> Rsvp | None:
    """The viewer's own answer to this occurrence: as a member, or as a visitor."""
    guest = visitor()
    member_id = current_user.member.id if current_user.is_authenticated and \
        current_user.member else None
    if member_id is None and guest is None:
        return None
    return next((r for r in rsvps.answers(event, starts_at)
                 if (member_id is not None and r.member_id == member_id)
                 or (guest is not None and r.home_village == guest.village
                     and r.home_member == guest.member_uuid)), None)


def _counts(event: Event, starts_at: datetime) -> dict[str, int | None]:
    answers = rsvps.answers(event, starts_at)
    return {
        "going": sum(1 for r in answers if r.status == RsvpStatus.GOING),
        "maybe": sum(1 for r in answers if r.status == RsvpStatus.MAYBE),
        "waitlisted": sum(1 for r in answers if r.status == RsvpStatus.WAITLISTED),
        "places_left": rsvps.places_left(event, starts_at),
    }


def venue_commune(venue: Venue) -> str:
    return commune_name(venue.commune_code)


def _event_link(event: Event) -> str:
    return events.public_link("public.event", event_uuid=event.uuid)


def _host() -> str:
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "chaleur.local"


def _ics_response(body: bytes, filename: str, private: bool = False) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age=300"
    return response
