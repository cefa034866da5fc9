"""Rencontres that lead somewhere: the ordre du jour before, « Clore la rencontre » after.

The agenda of one occurrence is a points decision (subject ``agenda``): each item is an
option members add, and members prioritise by spreading points. Closing the rencontre keeps
the minutes, links the decisions taken there, and records actions (what, who, by when);
decisions left open stay open to everyone, absent members included. Functions flush; the
caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.models import (
    Action,
    Audience,
    Decision,
    DecisionKind,
    DecisionState,
    Event,
    MeetingRecord,
    Member,
    Subject,
    utcnow,
)
from node.services import calendar
from node.services.decision_closing import close
from node.services.decisions import DecisionError, DecisionInput, open_decision

AGENDA_POINTS = 10
MAX_MINUTES = 50000
MAX_ACTION = 200


def agenda_of(event: Event, occurrence_at: datetime) -> Decision | None:
    return db.session.scalars(select(Decision).where(
        Decision.event_id == event.id, Decision.occurrence_at == occurrence_at,
        Decision.subject == Subject.AGENDA)).first()


def open_agenda(event: Event, occurrence_at: datetime, author: Member | None,
                now: datetime | None = None) -> Decision:
    """The occurrence's ordre du jour, opened until the rencontre starts (flushes)."""
    now = now or utcnow()
    existing = agenda_of(event, occurrence_at)
    if existing is not None:
        return existing
    if occurrence_at <= now:
        raise DecisionError(_("Cette rencontre a commencé : l'ordre du jour est fermé."))
    local = calendar.to_local(occurrence_at).replace(tzinfo=None)
    decision = open_decision(DecisionInput(
        kind=DecisionKind.POINTS, title=_("Ordre du jour : %(title)s", title=event.title),
        closes_local=local, points_budget=AGENDA_POINTS, audience=Audience.COMMUNITY,
        event=event, occurrence_at=occurrence_at, subject=Subject.AGENDA,
        description=_("Ajoutez les sujets à aborder, puis répartissez vos %(n)s points sur "
                      "ceux qui comptent le plus pour vous.", n=AGENDA_POINTS)), author, now)
    return decision


def meeting_record(event: Event, occurrence_at: datetime) -> MeetingRecord | None:
    return db.session.scalars(select(MeetingRecord).where(
        MeetingRecord.event_id == event.id, MeetingRecord.occurrence_at == occurrence_at)).first()


def decisions_taken(event: Event, occurrence_at: datetime) -> list[Decision]:
    """Decisions linked to this occurrence (the agenda itself aside)."""
    return list(db.session.scalars(select(Decision).where(
        Decision.event_id == event.id, Decision.occurrence_at == occurrence_at,
        Decision.subject != Subject.AGENDA).order_by(Decision.created_at)))


@dataclass
class ActionInput:
    title: str
    owner: Member | None
    due_on: date | None


def close_meeting(event: Event, occurrence_at: datetime, minutes: str, closed_by: Member | None,
                  actions: list[ActionInput], now: datetime | None = None) -> MeetingRecord:
    """Keep the minutes and new actions of a started occurrence (flushes). Closing again
    updates the minutes and adds the new actions."""
    now = now or utcnow()
    if occurrence_at > now:
        raise DecisionError(_("Une rencontre se clôt une fois commencée."))
    minutes = minutes.replace("\r\n", "\n").strip()
    if len(minutes) > MAX_MINUTES:
        raise DecisionError(_("%(n)s caractères au plus.", n=MAX_MINUTES), "minutes")
    cleaned = [_clean_action(item, now) for item in actions if item.title.strip()]
    record = meeting_record(event, occurrence_at) or MeetingRecord(
        event_id=event.id, occurrence_at=occurrence_at)
    record.minutes = minutes
    record.closed_at = now
    record.closed_by_id = closed_by.id if closed_by else None
    db.session.add(record)
    db.session.flush()
    for title, owner, due_on in cleaned:
        db.session.add(Action(title=title, owner_id=owner.id if owner else None, due_on=due_on,
                              meeting_id=record.id, created_at=now))
    agenda = agenda_of(event, occurrence_at)
    if agenda is not None and agenda.state == DecisionState.OPEN:
        close(agenda, now)
    db.session.flush()
    return record


def _clean_action(item: ActionInput, now: datetime) -> tuple[str, Member | None, date | None]:
    title = " ".join(item.title.split())
    if len(title) > MAX_ACTION:
        raise DecisionError(_("Une action tient en %(n)s caractères.", n=MAX_ACTION), "actions")
    if item.due_on is not None and item.due_on < calendar.to_local(now).date() - timedelta(
            days=1):
        raise DecisionError(_("L'échéance de « %(title)s » est déjà passée.", title=title),
                            "actions")
    return title, item.owner, item.due_on


def add_action(item: ActionInput, decision: Decision | None = None,
               now: datetime | None = None) -> Action:
    """An action outside a rencontre (e.g. after a decision); flushes."""
    title, owner, due_on = _clean_action(item, now or utcnow())
    if not title:
        raise DecisionError(_("Dites ce qu'il faut faire."), "title")
    action = Action(title=title, owner_id=owner.id if owner else None, due_on=due_on,
                    decision_id=decision.id if decision else None)
    db.session.add(action)
    db.session.flush()
    return action


def open_actions() -> list[Action]:
    """The board: actions not done, soonest due first (no due date last)."""
    rows = db.session.scalars(select(Action).where(Action.done_at.is_(None)))
    return sorted(rows, key=lambda a: (a.due_on is None, a.due_on or date.max, a.id))


def mark_done(action: Action, done: bool = True) -> None:
    action.done_at = utcnow() if done else None
    db.session.flush()


def actions_due(today: date, within: timedelta) -> list[Action]:
    """Open actions with an owner, due within ``within``, whose reminder is not planned."""
    return list(db.session.scalars(select(Action).where(
        Action.done_at.is_(None), Action.owner_id.is_not(None),
        Action.reminder_planned_at.is_(None), Action.due_on.is_not(None),
        Action.due_on <= today + within)))


def due_moment(day: date) -> datetime:
    """An action's due date as the end of that Paris day, in UTC (for calendars)."""
    return calendar.to_utc(datetime.combine(day, time(18, 0)))
