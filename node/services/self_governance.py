"""Self-governance: roles with a mandate, and the community charter, both given by decision.

A mandate or a charter version exists only because a consent proposal carrying it was
adopted (:func:`apply_adopted`, called by the close); nothing else creates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from node.extensions import db
from node.models import CharterVersion, Decision, Mandate, Member, Subject
from node.services.decisions import DecisionError

MAX_ROLE = 120
LONGEST_TERM = timedelta(days=3 * 366)


def mandate_subject(role: str, member: Member | None, starts_on: date | None,
                    ends_on: date | None) -> dict[str, Any]:
    """Check what a mandate proposal carries; the data the decision keeps until adopted."""
    role = " ".join(role.split())
    if not role or len(role) > MAX_ROLE:
        raise DecisionError(_("Nommez le rôle (%(n)s caractères au plus).", n=MAX_ROLE), "role")
    if member is None:
        raise DecisionError(_("Choisissez la personne proposée."), "member")
    if starts_on is None or ends_on is None or ends_on <= starts_on:
        raise DecisionError(_("Le mandat finit après son début."), "ends_on")
    if ends_on - starts_on > LONGEST_TERM:
        raise DecisionError(_("Un mandat dure trois ans au plus."), "ends_on")
    return {"role": role, "member_uuid": member.uuid, "member_name": member.display_name,
            "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()}


def apply_adopted(decision: Decision) -> None:
    """What an adopted decision changes besides itself (flushes)."""
    if decision.subject == Subject.CHARTER:
        number = int(db.session.scalar(select(func.max(CharterVersion.number))) or 0) + 1
        db.session.add(CharterVersion(number=number, text=decision.options[-1].details,
                                      decision_id=decision.id, adopted_at=decision.closed_at))
    elif decision.subject == Subject.MANDATE:
        data = decision.subject_data
        member = db.session.scalars(select(Member).where(
            Member.uuid == data.get("member_uuid"))).first()
        db.session.add(Mandate(role=str(data["role"]), member_id=member.id if member else None,
                               starts_on=date.fromisoformat(str(data["starts_on"])),
                               ends_on=date.fromisoformat(str(data["ends_on"])),
                               decision_id=decision.id))
    db.session.flush()


def current_charter() -> CharterVersion | None:
    return db.session.scalars(select(CharterVersion).order_by(
        CharterVersion.number.desc()).limit(1)).first()


def charter_history() -> list[CharterVersion]:
    return list(db.session.scalars(select(CharterVersion).order_by(
        CharterVersion.number.desc())))


@dataclass(frozen=True)
class Roles:
    current: list[Mandate]
    ending_soon: list[Mandate]
    past: list[Mandate]


def roles(today: date, soon: timedelta = timedelta(days=30)) -> Roles:
    """Mandates in force (those ending within ``soon`` marked), and past ones."""
    every = list(db.session.scalars(select(Mandate).order_by(Mandate.ends_on, Mandate.id)))
    current = [m for m in every if m.starts_on <= today <= _end(m)]
    return Roles(current, [m for m in current if _end(m) - today <= soon],
                 sorted((m for m in every if _end(m) < today), key=_end, reverse=True))


def _end(mandate: Mandate) -> date:
    return mandate.ended_early_on or mandate.ends_on


def mandates_ending(today: date, within: timedelta) -> list[Mandate]:
    """Mandates ending within ``within`` whose reminder has not been planned yet."""
    return list(db.session.scalars(select(Mandate).where(
        Mandate.reminder_planned_at.is_(None), Mandate.ended_early_on.is_(None),
        Mandate.ends_on >= today, Mandate.ends_on <= today + within)))
