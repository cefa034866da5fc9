"""Answers to a rencontre: going, maybe, not going, and the waitlist when places run out.

A "going" answer to a full occurrence becomes "waitlisted". Whenever a place frees up (someone
changes their mind, is removed, leaves the node, or the organiser adds places)
:func:`fill_places` promotes the first waitlisted people, in the order they joined the list,
and mails them. The list is fair: while anyone waits, a newcomer joins the end of the list even
if a place looks free, and the free place goes to whoever asked first. Each function validates
first, so a refused answer writes nothing; then it commits and mails.

A member of another village signed in here with their village answers as members do
(:class:`Visitor`): same places, waitlist, reminders and attendance. This node holds no
address for them and mails them nothing; every change of their answer is told to their
village, which mails them (:mod:`node.sharing.visitor_answers`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func

from node.extensions import db
from node.models import Event, Member, Rsvp, RsvpStatus, Visibility, utcnow
from node.services import calendar
from node.services.events import Occurrence, notify, occurrence_at, public_link
from node.services.members import FreedPlace

MAX_GUEST_NAME = 120
GUEST_STATUSES = (RsvpStatus.GOING, RsvpStatus.MAYBE)
MEMBER_STATUSES = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.NOT_GOING)


class RsvpError(ValueError):
    """An answer was refused; the message (French) says why."""


@dataclass(frozen=True)
class Visitor:
    """A member of another village signed in here with their village: who answers, as their
    village vouched for them (node id, member UUID at home, « Prénom N. »). No address: the
    host never mails a visitor, their village does (:mod:`node.sharing.visitor_answers`)."""

    village: str
    member_uuid: str
    name: str


@dataclass(frozen=True)
class Answer:
    """The stored answer, and for a guest the one-time cancel token (only its hash is kept);
    with what :func:`answered` mails once the caller has committed it."""

    rsvp: Rsvp
    cancel_token: str | None
    occurrence: Occurrence
    promoted: tuple[Rsvp, ...] = ()


@dataclass(frozen=True)
class Freed:
    """The people an answer's freed place went to (flushed): :func:`tell_freed` mails them
    once the caller has committed."""

    event: Event
    starts_at: datetime
    promoted: tuple[Rsvp, ...] = ()


def tell_freed(freed: Freed) -> None:
    """Once the caller has committed: mail each person promoted from the waitlist."""
    _tell_promoted(freed.event, freed.starts_at, list(freed.promoted))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def going_count(event: Event, starts_at: datetime) -> int:
    return int(db.session.scalar(
        db.select(func.count(Rsvp.id)).where(
            Rsvp.event_id == event.id, Rsvp.occurrence_at == starts_at,
            Rsvp.status == RsvpStatus.GOING)) or 0)


def answers(event: Event, starts_at: datetime) -> list[Rsvp]:
    """Every answer to one occurrence, oldest first (the waitlist order)."""
    return list(db.session.scalars(
        db.select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.occurrence_at == starts_at)
        .order_by(Rsvp.created_at, Rsvp.id)))


def waiting_count(event: Event, starts_at: datetime) -> int:
    return int(db.session.scalar(
        db.select(func.count(Rsvp.id)).where(
            Rsvp.event_id == event.id, Rsvp.occurrence_at == starts_at,
            Rsvp.status == RsvpStatus.WAITLISTED)) or 0)


def is_full(event: Event, starts_at: datetime) -> bool:
    """True when a new "going" answer would join the waitlist: no place left, or people
    already waiting (they come first)."""
    left = places_left(event, starts_at)
    return (left is not None and left <= 0) or waiting_count(event, starts_at) > 0


def waitlist_position(rsvp: Rsvp) -> int | None:
    """1 for the first person waiting, and so on; None when this answer is not waiting."""
    if rsvp.status != RsvpStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(db.select(func.count(Rsvp.id)).where(
        Rsvp.event_id == rsvp.event_id, Rsvp.occurrence_at == rsvp.occurrence_at,
        Rsvp.status == RsvpStatus.WAITLISTED, Rsvp.id != rsvp.id,
        (Rsvp.created_at < rsvp.created_at)
        | ((Rsvp.created_at == rsvp.created_at) & (Rsvp.id < rsvp.id))))
    return int(ahead or 0) + 1


def places_left(event: Event, starts_at: datetime) -> int | None:
    """Free places (None: no limit)."""
    if event.capacity is None:
        return None
    return max(event.capacity - going_count(event, starts_at), 0)


def _open_occurrence(event: Event, starts_at: datetime) -> Occurrence:
    """The occurrence someone may still answer, or RsvpError saying why not."""
    if event.cancelled:
        raise RsvpError(_("Cette rencontre est annulée : les inscriptions sont fermées."))
    occurrence = occurrence_at(event, starts_at)
    if occurrence is None:
        raise RsvpError(_("Cette date ne fait pas partie de la rencontre."))
    if occurrence.cancelled:
        raise RsvpError(_("Cette date est annulée : les inscriptions sont fermées."))
    if occurrence.started:
        raise RsvpError(_("Cette rencontre a déjà commencé ou est passée : les inscriptions "
                          "sont fermées."))
    return occurrence


def _lock(event: Event) -> None:
    """Serialise answers to one event on PostgreSQL, so two people cannot take the last place."""
    db.session.execute(db.select(Event.id).where(Event.id == event.id).with_for_update())


def _existing(event: Event, starts_at: datetime, member: Member | None,
              guest_email: str | None, visitor: Visitor | None = None) -> Rsvp | None:
    query = db.select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.occurrence_at == starts_at)
    if member is not None:
        query = query.where(Rsvp.member_id == member.id)
    elif visitor is not None:
        query = query.where(Rsvp.home_village == visitor.village,
                            Rsvp.home_member == visitor.member_uuid)
    else:
        query = query.where(Rsvp.guest_email == guest_email)
    return db.session.scalars(query).first()


def _clean_guest(event: Event, name: str | None, email: str | None) -> tuple[str, str]:
    if event.visibility != Visibility.PUBLIC:
        raise RsvpError(_("Seules les rencontres publiques acceptent des invités : "
                          "connectez-vous pour répondre."))
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_GUEST_NAME:
        raise RsvpError(_("Indiquez votre nom (%(n)s caractères au plus).", n=MAX_GUEST_NAME))
    try:
        address = validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise RsvpError(_("Adresse e-mail invalide.")) from error
    return name, str(address).lower()


def respond(event: Event, occurrence_at: datetime, status: str, member: Member | None = None,
            guest_name: str | None = None, guest_email: str | None = None,
            visitor: Visitor | None = None) -> Answer:
    """Record (or update) one person's answer to one occurrence (flushed, not committed).

    The caller commits once, then calls :func:`answered` with what this returns: the
    confirmation (with a guest's cancel link) and any promotion mail leave after the commit.

    "going" to a full occurrence becomes "waitlisted"; leaving "going" frees a place that the
    first waitlisted person receives. Guests (public events only) may only say going or maybe;
    they cancel through the link mailed to them. A visitor (a member of another village)
    answers as members do; their answer carries their home village instead of an address.
    """
    try:
        wanted = RsvpStatus(status)
    except ValueError as error:
        raise RsvpError(_("Réponse inconnue.")) from error
    occurrence = _open_occurrence(event, occurrence_at)
    if member is None and visitor is None:
        guest_name, guest_email = _clean_guest(event, guest_name, guest_email)
        if wanted not in GUEST_STATUSES:
            raise RsvpError(_("Réponse inconnue."))
    elif wanted not in MEMBER_STATUSES:
        raise RsvpError(_("Réponse inconnue."))
    if visitor is not None and event.visibility == Visibility.COMMUNITY:
        raise RsvpError(_("Cette rencontre est réservée aux membres du village."))
    _lock(event)
    rsvp = _existing(event, occurrence.starts_at, member, guest_email, visitor)
    was_going = rsvp is not None and rsvp.status == RsvpStatus.GOING
    final = _admit(event, occurrence.starts_at, wanted, rsvp.status if rsvp else None)
    if rsvp is None:
        rsvp = Rsvp(event=event, occurrence_at=occurrence.starts_at, member=member,
                    guest_name=guest_name if member is None else None,
                    guest_email=guest_email if member is None else None, status=final,
                    created_at=utcnow())
        if visitor is not None:
            rsvp.guest_name = rsvp.guest_email = None
            rsvp.home_village, rsvp.home_member = visitor.village, visitor.member_uuid
        db.session.add(rsvp)
    elif final == RsvpStatus.WAITLISTED and rsvp.status != RsvpStatus.WAITLISTED:
        rsvp.created_at = utcnow()  # the queue is ordered by created_at: join at its end
    token = None
    if visitor is not None:
        rsvp.visitor_name = visitor.name[:MAX_GUEST_NAME]
    elif member is None:
        rsvp.guest_name = guest_name
        token = secrets.token_urlsafe(32)
        rsvp.guest_token_hash = token_hash(token)
    rsvp.status = final
    db.session.flush()
    promoted: list[Rsvp] = []
    if (was_going and final != RsvpStatus.GOING) or final == RsvpStatus.WAITLISTED:
        # A place left free while people waited (a deletion, an import) goes to the first
        # of them, who may be this person only if nobody asked earlier.
        promoted = _fill(event, occurrence.starts_at)
    return Answer(rsvp, token, occurrence, tuple(promoted))


def answered(answer: Answer) -> None:
    """Once the caller has committed an answer: mail the people it promoted, then the person
    who answered (a guest with their cancel link)."""
    if answer.promoted:
        _tell_promoted(answer.occurrence.event, answer.occurrence.starts_at,
                       list(answer.promoted))
    _confirm(answer.rsvp, answer.occurrence, answer.cancel_token)


def _admit(event: Event, starts_at: datetime, wanted: RsvpStatus,
           current: str | None) -> RsvpStatus:
    """The status an answer really gets: "going" only while places remain."""
    if wanted != RsvpStatus.GOING or current == RsvpStatus.GOING:
        return wanted
    if current == RsvpStatus.WAITLISTED:
        return RsvpStatus.WAITLISTED
    if is_full(event, starts_at):
        return RsvpStatus.WAITLISTED
    return RsvpStatus.GOING


def fill_places(event: Event, starts_at: datetime) -> list[Rsvp]:
    """Promote waitlisted people while places are free; commit and mail each of them."""
    promoted = _fill(event, starts_at)
    db.session.commit()
    _tell_promoted(event, starts_at, promoted)
    return promoted


def _fill(event: Event, starts_at: datetime) -> list[Rsvp]:
    """Promote waitlisted people while places are free, unless the date is gone (flushes)."""
    if event.cancelled or starts_at <= utcnow() or calendar.as_utc_stamp(starts_at) in (
            event.cancelled_dates or []):
        return []
    _lock(event)
    return _promote(event, starts_at)


def _promote(event: Event, starts_at: datetime) -> list[Rsvp]:
    """Give free places to the people waiting, first asked first served (flushes)."""
    promoted: list[Rsvp] = []
    free = places_left(event, starts_at)
    for rsvp in answers(event, starts_at):
        if free is not None and free <= 0:
            break
        if rsvp.status == RsvpStatus.WAITLISTED:
            rsvp.status = RsvpStatus.GOING
            promoted.append(rsvp)
            free = None if free is None else free - 1
    db.session.flush()
    return promoted


def give_freed_places(member: Member, freed: list[FreedPlace]) -> Callable[[], None]:
    """The member-deletion hook: the places a leaving member held go to the people waiting.

    Runs inside the deletion's transaction (promotions are flushed, not committed) and
    returns what to do once it is committed: mail each person promoted. Registered in
    ``create_app`` with :func:`node.services.members.on_member_deleted`.
    """
    told: list[tuple[Event, datetime, list[Rsvp]]] = []
    for place in freed:
        event = db.session.get(Event, place.event_id)
        if event is None or event.cancelled or place.occurrence_at <= utcnow():
            continue
        _lock(event)
        promoted = _promote(event, place.occurrence_at)
        if promoted:
            told.append((event, place.occurrence_at, promoted))

    def tell() -> None:
        for event, starts_at, promoted in told:
            _tell_promoted(event, starts_at, promoted)

    return tell


def _tell_promoted(event: Event, starts_at: datetime, promoted: list[Rsvp]) -> None:
    for rsvp in promoted:
        when = calendar.describe_when(starts_at, starts_at + (event.ends_at - event.starts_at))
        notify(rsvp, _("Une place s'est libérée : %(title)s", title=event.title),
               _("Bonjour %(name)s,\n\nBonne nouvelle : une place s'est libérée pour « %(title)s » "
                 "le %(when)s. Vous êtes maintenant inscrit·e.\n\nSi vous ne pouvez plus venir, "
                 "indiquez-le pour laisser la place à quelqu'un d'autre :\n%(link)s\n",
                 name=rsvp.person_name, title=event.title, when=when,
                 link=public_link("public.event", event_uuid=event.uuid)))


def _confirm(rsvp: Rsvp, occurrence: Occurrence, token: str | None) -> None:
    """Mail the answer back, so the person keeps a trace (and a guest the cancel link)."""
    event = occurrence.event
    messages = {
        RsvpStatus.GOING: _("Votre inscription est confirmée."),
        RsvpStatus.MAYBE: _("Nous avons noté que vous viendrez peut-être."),
        RsvpStatus.NOT_GOING: _("Nous avons noté que vous ne viendrez pas."),
        RsvpStatus.WAITLISTED: _("La rencontre est complète : vous êtes sur la liste d'attente. "
                                 "Nous vous écrirons si une place se libère."),
    }
    body = _("Bonjour %(name)s,\n\n%(message)s\n\n« %(title)s »\n%(when)s\n%(link)s\n",
             name=rsvp.person_name, message=messages[RsvpStatus(rsvp.status)],
             title=event.title, when=occurrence.when,
             link=public_link("public.event", event_uuid=event.uuid))
    if token:
        body += _("\nPour annuler votre venue, ouvrez ce lien :\n%(link)s\n",
                  link=public_link("public.guest_cancel", jeton=token))
    notify(rsvp, _("Votre réponse : %(title)s", title=event.title), body)


def find_guest_answer(token: str) -> Rsvp | None:
    if not token:
        return None
    return db.session.scalars(
        db.select(Rsvp).where(Rsvp.guest_token_hash == token_hash(token))).first()


def cancel_guest_answer(token: str) -> Freed:
    """A guest's "I won't come" through their mailed link; frees their place (flushed: the
    caller commits, then calls :func:`tell_freed`)."""
    rsvp = find_guest_answer(token)
    if rsvp is None:
        raise RsvpError(_("Ce lien d'annulation n'est pas valable."))
    if rsvp.occurrence_at <= utcnow():
        raise RsvpError(_("Cette rencontre a déjà commencé ou est passée."))
    was_going = rsvp.status == RsvpStatus.GOING
    rsvp.status = RsvpStatus.NOT_GOING
    db.session.flush()
    promoted = _fill(rsvp.event, rsvp.occurrence_at) if was_going else []
    return Freed(rsvp.event, rsvp.occurrence_at, tuple(promoted))


def remove_answer(rsvp: Rsvp) -> Freed:
    """An organiser removes someone's answer; their place goes to the waitlist (flushed: the
    caller commits, then calls :func:`tell_freed`)."""
    event, starts_at = rsvp.event, rsvp.occurrence_at
    db.session.delete(rsvp)
    db.session.flush()
    return Freed(event, starts_at, tuple(_fill(event, starts_at)))


def mark_attendance(rsvp: Rsvp, attended: bool) -> None:
    """Record whether someone came; only once the occurrence has started (flushed)."""
    if rsvp.occurrence_at > utcnow():
        raise RsvpError(_("La présence se note une fois la rencontre commencée."))
    rsvp.attended = attended
    db.session.flush()


def answer_link(rsvp: Rsvp) -> str:
    """Where this person changes their answer: the event page, or for a guest a fresh cancel
    link (only the hash of the previous token is stored, so it cannot be mailed again)."""
    if rsvp.member is not None or rsvp.is_visitor:
        return public_link("public.event", event_uuid=rsvp.event.uuid)
    token = secrets.token_urlsafe(32)
    rsvp.guest_token_hash = token_hash(token)
    return public_link("public.guest_cancel", jeton=token)


def send_reminders(window: timedelta = timedelta(hours=48),
                   now: datetime | None = None) -> int:
    """Mail every "going" person of occurrences starting within ``window``, once each."""
    now = now or utcnow()
    due = db.session.scalars(
        db.select(Rsvp).join(Event).where(
            Rsvp.status == RsvpStatus.GOING, Rsvp.reminded_at.is_(None),
            Event.cancelled.is_(False), Rsvp.occurrence_at > now,
            Rsvp.occurrence_at <= now + window)
        .order_by(Rsvp.occurrence_at, Rsvp.id)).all()
    sent = 0
    for rsvp in due:
        event = rsvp.event
        if calendar.as_utc_stamp(rsvp.occurrence_at) in (event.cancelled_dates or []):
            continue  # that date of the series was cancelled: nothing to remind
        when = calendar.describe_when(rsvp.occurrence_at,
                                      rsvp.occurrence_at + (event.ends_at - event.starts_at))
        place = event.venue.name if event.venue else ""
        if notify(rsvp, _("Rappel : %(title)s", title=event.title),
                  _("Bonjour %(name)s,\n\nPetit rappel : vous êtes inscrit·e à « %(title)s », "
                    "%(when)s. %(place)s\n\nSi vous ne pouvez plus venir, dites-le pour libérer "
                    "votre place :\n%(link)s\n", name=rsvp.person_name, title=event.title,
                    when=when, place=place, link=answer_link(rsvp))):
            rsvp.reminded_at = now
            db.session.commit()
            sent += 1
        else:
            db.session.rollback()  # keeps the guest's previous cancel link valid
    return sent
