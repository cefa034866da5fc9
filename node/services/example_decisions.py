"""Invented decisions for the example data: one of each kind, a consent proposal amended
after an objection, a closed decision in the register, an agenda, actions, a mandate and the
charter. Everything goes through the decision services (ballots written as members would
leave them), so the demo pages show what real use leaves behind."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from node.extensions import db
from node.models import Decision, DecisionOption, Event, Member, Subject
from node.services import ballots, calendar, consent, meetings
from node.services.decision_closing import close
from node.services.decisions import DecisionInput, Slot, open_decision
from node.services.events import occurrences
from node.services.self_governance import mandate_subject

CHARTER = ("Nous sommes des indépendants du village qui s'entraident.\n\n"
           "Nous nous retrouvons chaque mois, chacun apporte un savoir-faire.\n\n"
           "Nous décidons par consentement : une objection dit ce qui nuirait au groupe.")


def _local(moment: datetime) -> datetime:
    return calendar.to_local(moment).replace(tzinfo=None, second=0, microsecond=0)


def _open(rng: random.Random, now: datetime, author: Member, **fields: Any) -> Decision:
    closes = fields.pop("closes_in", timedelta(days=7))
    fixed = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return open_decision(DecisionInput(closes_local=_local(now + closes), record_uuid=fixed,
                                       **fields), author, now=now)


def _vote(decision: Decision, member: Member, values: dict[int, int], note: str = "") -> None:
    round_ = decision.options[-1].position if decision.kind == "consent" else 1
    ballots.write_ballot(decision, member, {option_id: (value, note if value == 0 else "")
                                            for option_id, value in values.items()}, round_)


def load_example_decisions(rng: random.Random, members: list[Member], events: list[Event],
                           now: datetime) -> int:
    """Add the example decisions (flushes); returns how many."""
    if len(members) < 4:
        return 0
    author, *others = members
    made = [_judgment(rng, now, author, others), _charter(rng, now, author, others),
            _dates(rng, now, author, others), _question(rng, now, author, others),
            _closed_points(rng, now, author, others), _mandate(rng, now, author, others)]
    _agenda_and_actions(rng, now, author, others, events)
    return len(made)


def _judgment(rng: random.Random, now: datetime, author: Member,
              others: list[Member]) -> Decision:
    decision = _open(rng, now, author, kind="judgment", anonymous=True, shared=True,
                     title="Quel projet lancer en premier ?",
                     description="Trois idées sont sorties de la dernière rencontre.",
                     options=["Fournil partagé", "Atelier vélo", "Jardin des indépendants"],
                     closes_in=timedelta(days=6))
    for member in others[: max(3, len(others) * 2 // 3)]:
        _vote(decision, member, {option.id: min(6, max(0, rng.randint(2, 6) - index))
                                 for index, option in enumerate(decision.options)})
    return decision


def _charter(rng: random.Random, now: datetime, author: Member,
             others: list[Member]) -> Decision:
    decision = _open(rng, now, author, kind="consent", subject=Subject.CHARTER,
                     title="Adopter notre charte", description=CHARTER.replace(
                         "chaque mois", "chaque semaine"), closes_in=timedelta(days=10))
    version = decision.options[0].id
    _vote(decision, others[0], {version: 2})
    _vote(decision, others[1], {version: 0},
          "Chaque semaine, c'est trop pour celles et ceux qui travaillent loin.")
    db.session.flush()
    [objection] = consent.open_objections(decision)
    consent.amend(decision, author, CHARTER,
                  {objection.ref: "Nous nous retrouvons chaque mois, pas chaque semaine."}, now)
    for member in others[2:5]:
        _vote(decision, member, {decision.options[-1].id: 2})
    return decision


def _dates(rng: random.Random, now: datetime, author: Member,
           others: list[Member]) -> Decision:
    day = calendar.to_local(now).date() + timedelta(days=14)
    slots = [Slot(datetime.combine(day + timedelta(days=offset), datetime.min.time())
                  .replace(hour=18, minute=30),
                  datetime.combine(day + timedelta(days=offset), datetime.min.time())
                  .replace(hour=21)) for offset in (0, 2, 5)]
    decision = _open(rng, now, author, kind="dates", title="Soirée portes ouvertes",
                     description="Pour présenter le tiers-lieu aux habitants.", slots=slots,
                     closes_in=timedelta(days=5))
    for member in others[: len(others) // 2]:
        _vote(decision, member, {option.id: rng.choice((0, 1, 2, 2))
                                 for option in decision.options})
    return decision


def _question(rng: random.Random, now: datetime, author: Member,
              others: list[Member]) -> Decision:
    decision = _open(rng, now, author, kind="question", shared=True,
                     title="Comment accueillir les nouveaux venus ?",
                     options=["Un parrain ou une marraine", "Un café d'accueil le samedi",
                              "Une page de présentation des métiers"],
                     closes_in=timedelta(days=12))
    for member in others[: len(others) // 2]:
        _vote(decision, member, {option.id: 1 for option in decision.options
                                 if rng.random() < 0.5})
    return decision


def _closed_points(rng: random.Random, now: datetime, author: Member,
                   others: list[Member]) -> Decision:
    decision = _open(rng, now - timedelta(days=20), author, kind="points", points_budget=10,
                     title="Nos priorités du trimestre", shared=True,
                     options=["Un site commun", "Un salon des métiers", "Des achats groupés"],
                     closes_in=timedelta(days=10))
    for member in others[: len(others) // 2]:
        first = rng.randint(0, 10)
        values = dict(zip([o.id for o in decision.options], (first, 10 - first, 0),
                          strict=True))
        _vote(decision, member, {k: v for k, v in values.items() if v})
    close(decision, now - timedelta(days=10))
    return decision


def _mandate(rng: random.Random, now: datetime, author: Member,
             others: list[Member]) -> Decision:
    start = calendar.to_local(now).date() - timedelta(days=30)
    data = mandate_subject("Référent·e accueil", others[0], start,
                           date(start.year + 1, start.month, 1))
    decision = _open(rng, now - timedelta(days=40), author, kind="consent",
                     subject=Subject.MANDATE, subject_data=data,
                     title=f"Confier l'accueil à {others[0].display_name}",
                     description="Accueillir les nouveaux membres et leur présenter le lieu.",
                     closes_in=timedelta(days=9))
    for member in others[1:4]:
        _vote(decision, member, {decision.options[0].id: 2})
    close(decision, now - timedelta(days=31))
    return decision


def _agenda_and_actions(rng: random.Random, now: datetime, author: Member,
                        others: list[Member], events: list[Event]) -> None:
    upcoming = [(event, found[0].starts_at) for event in events if not event.cancelled
                for found in [occurrences(event, now, now + timedelta(days=60))] if found]
    if upcoming:
        event, when = upcoming[0]
        agenda = meetings.open_agenda(event, when, author, now)
        for topic in ("Le site web commun", "Les tarifs de la salle", "Le salon des métiers"):
            agenda.options.append(DecisionOption(position=len(agenda.options) + 1,
                                                 label=topic))
        db.session.flush()
        for member in others[:5]:
            spread = rng.sample([o.id for o in agenda.options], k=2)
            _vote(agenda, member, {spread[0]: 6, spread[1]: 4})
    today = calendar.to_local(now).date()
    for title, owner, days in (("Demander un devis pour le four", others[1], 10),
                               ("Réserver la salle pour les portes ouvertes", others[2], 4)):
        meetings.add_action(meetings.ActionInput(title, owner, today + timedelta(days=days)),
                            now=now)

