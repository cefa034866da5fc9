"""Results of a decision, closing it, adopting a consent proposal, turning a dates poll into
a rencontre. Functions flush; the caller (view, API, worker) commits, then mail leaves
through the planned notices."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.models import (
    Account,
    Decision,
    DecisionKind,
    DecisionState,
    Event,
    Member,
    RemoteTally,
    utcnow,
)
from node.services import ballots, notices, villages
from node.services.consent import can_adopt
from node.services.decision_results import Results, compute, preferred_slot
from node.services.decisions import DecisionError, answered_member_ids, eligible_accounts
from node.services.self_governance import apply_adopted


def results_of(decision: Decision) -> Results:
    """Answers here, plus the signed tallies other villages sent for a network decision."""
    counts = ballots.local_counts(decision)
    participants = ballots.participant_count(decision)
    by_remote = {option.id: option.id for option in decision.options}
    for tally in db.session.scalars(select(RemoteTally).where(
            RemoteTally.decision_id == decision.id)):
        participants += tally.participants
        for option_key, values in tally.counts.items():
            option_id = by_remote.get(int(option_key))
            if option_id is None:
                continue
            target = counts.setdefault(option_id, {})
            for value, number in values.items():
                target[int(value)] = target.get(int(value), 0) + int(number)
    options = [(option.id, option.position, option.label) for option in decision.options
               if decision.kind == DecisionKind.CONSENT or not option.withdrawn]
    return compute(decision.kind, options, counts, participants)


def results_visible(decision: Decision) -> bool:
    return decision.results_shown == "during" or decision.state != DecisionState.OPEN


def close(decision: Decision, now: datetime | None = None, *, adopt: bool | None = None) -> None:
    """Close now: store the outcome, adopt a consent proposal with no open objection, apply
    what it carries, seal the ballots and plan the result mail (flushes)."""
    if decision.state != DecisionState.OPEN:
        return
    now = now or utcnow()
    results = results_of(decision)
    if decision.kind == DecisionKind.CONSENT:  # judged while objections still count as open
        decision.adopted = can_adopt(decision)[0] if adopt is None else adopt
    decision.outcome = results.summary()
    decision.closed_at = now
    decision.state = DecisionState.CLOSED
    if decision.adopted:
        apply_adopted(decision)
    ballots.seal(decision)
    villages.plan_results(decision)
    if decision.result_planned_at is None and not decision.is_remote:
        decision.result_planned_at = now
        notices.plan("decision_result", decision.uuid, eligible_accounts(decision), due_at=now)
    db.session.flush()


def adopt(decision: Decision) -> None:
    """The author or staff adopt a consent proposal before the close; refused while an
    objection is open."""
    allowed, reason = can_adopt(decision)
    if not allowed:
        raise DecisionError(reason)
    close(decision, adopt=True)


def close_due(now: datetime | None = None) -> list[Decision]:
    """Close every open decision whose closing time has passed (the worker calls this)."""
    now = now or utcnow()
    due = list(db.session.scalars(select(Decision).where(
        Decision.state == DecisionState.OPEN, Decision.closes_at <= now,
        Decision.host_node.is_(None))))
    for decision in due:
        close(decision, now)
    return due


def plan_reminders(now: datetime, before: float) -> int:
    """Plan the reminder of decisions closing within ``before`` hours, to those of their
    audience who have not answered (the current version, for a consent proposal)."""
    due = list(db.session.scalars(select(Decision).where(
        Decision.state == DecisionState.OPEN, Decision.reminder_planned_at.is_(None),
        Decision.opens_at <= now, Decision.closes_at > now,
        Decision.closes_at <= now + timedelta(hours=before))))
    planned = 0
    for decision in due:
        answered_round = decision.options[-1].position \
            if decision.kind == DecisionKind.CONSENT and decision.options else 1
        answered = answered_member_ids(decision, answered_round)
        waiting = [account for account in eligible_accounts(decision)
                   if account.member is None or account.member.id not in answered]
        decision.reminder_planned_at = now
        planned += notices.plan("decision_reminder", f"{decision.uuid}:{answered_round}",
                                waiting, due_at=now)
    return planned


def make_rencontre(decision: Decision, account: Account, venue_id: int | None = None) -> Event:
    """Turn a dates poll into a rencontre at its preferred slot and tell everyone who
    answered (flushes; the notices leave after the caller's commit)."""
    if decision.kind != DecisionKind.DATES:
        raise DecisionError(_("Seul un sondage de dates devient une rencontre."))
    if decision.chosen_event_id is not None:
        raise DecisionError(_("Ce sondage a déjà donné une rencontre."))
    slot_id = preferred_slot(results_of(decision))
    slot = next((option for option in decision.options if option.id == slot_id), None)
    if slot is None or slot.starts_at is None or slot.ends_at is None:
        raise DecisionError(_("Aucun créneau n'a encore de « oui »."))
    event = Event(title=decision.title, description=decision.description,
                  starts_at=slot.starts_at, ends_at=slot.ends_at, venue_id=venue_id,
                  created_by_id=account.id)
    db.session.add(event)
    db.session.flush()
    decision.chosen_event_id = event.id
    if decision.state == DecisionState.OPEN:
        close(decision)
    answered = select(Member.account_id).where(Member.id.in_(
        _answered_ids(decision)))
    people = list(db.session.scalars(select(Account).where(Account.id.in_(answered))))
    notices.plan("dates_rencontre", decision.uuid, people, {"event_uuid": event.uuid})
    return event


def _answered_ids(decision: Decision) -> list[int]:
    return sorted(answered_member_ids(decision))
