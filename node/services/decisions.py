"""Opening a decision, who may take part in it, and finding decisions to show.

Times arrive as Paris wall-clock values from forms (like rencontres) and are kept in UTC.
Services flush; the view, API or worker that calls them commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import defer

from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    Audience,
    Decision,
    DecisionKind,
    DecisionOption,
    DecisionParticipant,
    DecisionState,
    Event,
    Member,
    ResultsShown,
    Rsvp,
    RsvpStatus,
    Subject,
    utcnow,
)
from node.services import ballots, calendar

MAX_TITLE = 160
MAX_DESCRIPTION = 10000
MAX_OPTION = 300
MAX_OPTIONS = 40
MAX_POINTS = 100
LONGEST = timedelta(days=366)


class DecisionError(ValueError):
    """A decision change was refused; the message (French) says why, ``field`` where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Slot:
    """A dates-poll slot as typed: Paris wall-clock start and end."""

    starts_local: datetime
    ends_local: datetime


@dataclass
class DecisionInput:
    kind: str
    title: str
    closes_local: datetime
    description: str = ""
    opens_local: datetime | None = None
    audience: str = Audience.COMMUNITY
    event: Event | None = None
    occurrence_at: datetime | None = None
    anonymous: bool = False
    results_shown: str = ResultsShown.DURING
    points_budget: int | None = None
    options: list[str] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    shared: bool = False
    villages: list[str] = field(default_factory=list)
    subject: str = Subject.NONE
    subject_data: dict[str, object] = field(default_factory=dict)
    record_uuid: str | None = None  # a fixed id (example data); a new UUID otherwise


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clean_times(data: DecisionInput, now: datetime) -> tuple[datetime, datetime]:
    try:
        opens = calendar.to_utc(data.opens_local) if data.opens_local else now
        closes = calendar.to_utc(data.closes_local)
    except calendar.LocalTimeInvalid as error:
        raise DecisionError(str(error), "closes_at") from error
    if closes <= max(opens, now):
        raise DecisionError(_("La clôture doit être dans le futur, après l'ouverture."),
                            "closes_at")
    if closes - opens > LONGEST:
        raise DecisionError(_("Une décision reste ouverte un an au plus."), "closes_at")
    return opens, closes


def _options(data: DecisionInput) -> list[DecisionOption]:
    if data.kind == DecisionKind.DATES:
        return _slot_options(data.slots)
    if data.kind == DecisionKind.CONSENT:
        return [DecisionOption(position=1, label=_("Version 1"), details=data.description)]
    labels = [_one_line(text) for text in data.options if _one_line(text)]
    if any(len(label) > MAX_OPTION for label in labels):
        raise DecisionError(_("Chaque option tient en %(n)s caractères.", n=MAX_OPTION),
                            "options")
    if len(set(labels)) != len(labels):
        raise DecisionError(_("Deux options portent le même texte."), "options")
    if len(labels) > MAX_OPTIONS:
        raise DecisionError(_("%(n)s options au plus.", n=MAX_OPTIONS), "options")
    needed = 0 if data.kind in (DecisionKind.QUESTION, DecisionKind.POINTS) else 2
    if len(labels) < needed:
        raise DecisionError(_("Proposez au moins deux options, une par ligne."), "options")
    return [DecisionOption(position=index + 1, label=label) for index, label in enumerate(labels)]


def _slot_options(slots: list[Slot]) -> list[DecisionOption]:
    spans = []
    for slot in slots:
        try:
            starts, ends = calendar.to_utc(slot.starts_local), calendar.to_utc(slot.ends_local)
        except calendar.LocalTimeInvalid as error:
            raise DecisionError(str(error), "slots") from error
        if ends <= starts:
            raise DecisionError(_("Chaque créneau finit après son début."), "slots")
        spans.append((starts, ends))
    spans = sorted(set(spans))
    if len(spans) < 2:
        raise DecisionError(_("Proposez au moins deux créneaux."), "slots")
    if len(spans) > MAX_OPTIONS:
        raise DecisionError(_("%(n)s créneaux au plus.", n=MAX_OPTIONS), "slots")
    return [DecisionOption(position=index + 1, label=calendar.describe_when(starts, ends),
                           starts_at=starts, ends_at=ends)
            for index, (starts, ends) in enumerate(spans)]


def _check(data: DecisionInput) -> None:
    if data.kind not in set(DecisionKind):
        raise DecisionError(_("Type de décision inconnu."), "kind")
    if not _one_line(data.title) or len(_one_line(data.title)) > MAX_TITLE:
        raise DecisionError(_("Un titre de %(n)s caractères au plus est obligatoire.",
                              n=MAX_TITLE), "title")
    if len(data.description) > MAX_DESCRIPTION:
        raise DecisionError(_("%(n)s caractères au plus.", n=MAX_DESCRIPTION), "description")
    if data.kind == DecisionKind.CONSENT and not data.description.strip():
        raise DecisionError(_("Écrivez la proposition soumise au consentement."),
                            "description")
    if data.audience not in set(Audience):
        raise DecisionError(_("Public inconnu."), "audience")
    if data.audience == Audience.RENCONTRE and (data.event is None
                                                or data.occurrence_at is None):
        raise DecisionError(_("Choisissez la rencontre dont les participants décident."),
                            "event")
    if data.audience == Audience.NETWORK and not data.villages:
        raise DecisionError(_("Choisissez au moins un autre village."), "villages")
    if data.results_shown not in set(ResultsShown):
        raise DecisionError(_("Choix inconnu."), "results_shown")
    if data.kind == DecisionKind.POINTS and not (
            data.points_budget and 1 <= data.points_budget <= MAX_POINTS):
        raise DecisionError(_("Nombre de points entre 1 et %(n)s.", n=MAX_POINTS),
                            "points_budget")


def open_decision(data: DecisionInput, author: Member | None,
                  now: datetime | None = None) -> Decision:
    """Validate and add a decision with its options (flushed, not committed)."""
    now = now or utcnow()
    _check(data)
    opens, closes = _clean_times(data, now)
    decision = Decision(
        kind=data.kind, title=_one_line(data.title), description=data.description.strip(),
        opens_at=opens, closes_at=closes, audience=data.audience,
        event_id=data.event.id if data.event else None, occurrence_at=data.occurrence_at,
        anonymous=data.anonymous, results_shown=data.results_shown,
        points_budget=data.points_budget if data.kind == DecisionKind.POINTS else None,
        shared=data.shared, subject=data.subject, subject_data=dict(data.subject_data),
        villages=sorted(set(data.villages)) if data.audience == Audience.NETWORK else [],
        author_id=author.id if author else None, state=DecisionState.OPEN,
        ballot_salt=ballots.new_salt(), created_at=now)
    if data.record_uuid:
        decision.uuid = data.record_uuid
    decision.options = _options(data)
    db.session.add(decision)
    db.session.flush()
    return decision


def accepting(decision: Decision, now: datetime | None = None) -> bool:
    """True while answers are taken."""
    now = now or utcnow()
    return decision.state == DecisionState.OPEN and decision.opens_at <= now < decision.closes_at


def _active(member: Member) -> bool:
    return member.account is not None and member.account.status == AccountStatus.ACTIVE


def rencontre_member_ids(decision: Decision) -> set[int]:
    """Members who said « je viens » to the rencontre, or were marked present."""
    if decision.event_id is None or decision.occurrence_at is None:
        return set()
    rows = db.session.scalars(select(Rsvp.member_id).where(
        Rsvp.event_id == decision.event_id, Rsvp.occurrence_at == decision.occurrence_at,
        Rsvp.member_id.is_not(None),
        (Rsvp.status == RsvpStatus.GOING) | Rsvp.attended.is_(True)))
    return {int(member_id) for member_id in rows if member_id is not None}


def may_take_part(decision: Decision, member: Member | None) -> bool:
    """Whether this member of this node may answer (members of other villages answer at
    home, through their own node's copy of a network decision)."""
    if member is None or not _active(member):
        return False
    if decision.audience == Audience.RENCONTRE and not decision.is_remote:
        return member.id in rencontre_member_ids(decision)
    return True


def eligible_accounts(decision: Decision) -> list[Account]:
    """Active accounts of this node who may take part (reminders, result mails)."""
    query = (select(Account).join(Member, Member.account_id == Account.id)
             .where(Account.status == AccountStatus.ACTIVE).order_by(Account.id))
    if decision.audience == Audience.RENCONTRE and not decision.is_remote:
        query = query.where(Member.id.in_(rencontre_member_ids(decision) or {-1}))
    return list(db.session.scalars(query))


def answered_member_ids(decision: Decision, answered_round: int = 1) -> set[int]:
    return set(db.session.scalars(select(DecisionParticipant.member_id).where(
        DecisionParticipant.decision_id == decision.id,
        DecisionParticipant.answered_round >= answered_round)))


def find_decision(decision_uuid: str) -> Decision | None:
    return db.session.scalars(select(Decision).where(Decision.uuid == decision_uuid)).first()


def may_manage(decision: Decision, account: Account | None) -> bool:
    """The author and the node's staff run a decision (close early, turn into a rencontre)."""
    if account is None or not getattr(account, "is_authenticated", False):
        return False
    if account.is_staff:
        return True
    return account.member is not None and account.member.id == decision.author_id


@dataclass(frozen=True)
class Listed:
    """A decision as the community page lists it, with its number of answers."""

    decision: Decision
    answers: int


def community_decisions(limit: int = 500) -> tuple[list[Listed], list[Listed]]:
    """Open decisions (closing soonest first) and closed ones (latest first), with counts from
    one grouped query: the page costs the same two queries for 20 decisions or 200."""
    answers = dict(db.session.execute(
        select(DecisionParticipant.decision_id, func.count())
        .group_by(DecisionParticipant.decision_id)).all())
    rows = list(db.session.scalars(
        select(Decision).where(Decision.subject != Subject.AGENDA)
        .options(defer(Decision.description), defer(Decision.subject_data),
                 defer(Decision.villages), defer(Decision.ballot_salt))
        .order_by(Decision.closes_at.desc()).limit(limit)))
    listed = [Listed(row, int(answers.get(row.id, 0))) for row in rows]
    still_open = sorted((item for item in listed if item.decision.state == DecisionState.OPEN),
                        key=lambda item: item.decision.closes_at)
    done = [item for item in listed if item.decision.state != DecisionState.OPEN]
    return still_open, done


def register(limit: int = 5000) -> list[Decision]:
    """Every closed decision with its outcome, latest first (the registre des décisions)."""
    return list(db.session.scalars(
        select(Decision).where(Decision.state != DecisionState.OPEN,
                               Decision.subject != Subject.AGENDA)
        .order_by(Decision.closed_at.desc(), Decision.id.desc()).limit(limit)))
