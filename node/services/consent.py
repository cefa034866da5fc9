"""Consent proposals (sociocratic consent): amend, withdraw, adopt.

An objection is a reasoned « this would harm the group »; while one is open on the current
version the proposal cannot be adopted. The author answers by amending it (a new version:
every stance is asked again, and the author writes how each objection was integrated, kept
with the old version) or by withdrawing it. Functions flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.models import (
    Ballot,
    BallotChoice,
    Decision,
    DecisionKind,
    DecisionOption,
    DecisionState,
    Member,
    RemoteTally,
    utcnow,
)
from node.services import villages
from node.services.decision_results import CONSENT, OBJECTION
from node.services.decisions import DecisionError, accepting

MAX_TEXT = 10000


@dataclass(frozen=True)
class Objection:
    """An objection on one version: its reason and, once amended, how it was integrated.

    ``ref`` names it in forms without naming its author (a prefix of the ballot key)."""

    ref: str
    version: int
    reason: str
    integration: str
    open: bool


def objections(decision: Decision) -> list[Objection]:
    """Every objection ever raised, oldest version first; open ones are on the current one."""
    if decision.kind != DecisionKind.CONSENT:
        return []
    current = decision.options[-1].id if decision.options else None
    rows = db.session.execute(
        select(BallotChoice, DecisionOption.position)
        .join(DecisionOption, DecisionOption.id == BallotChoice.option_id)
        .join(Ballot, Ballot.key == BallotChoice.ballot_key)
        .where(Ballot.decision_id == decision.id, BallotChoice.value == OBJECTION)
        .order_by(DecisionOption.position, BallotChoice.ballot_key))
    return [Objection(choice.ballot_key[:16], position, choice.note, choice.integration,
                      choice.option_id == current and decision.state == DecisionState.OPEN)
            for choice, position in rows]


def open_objections(decision: Decision) -> list[Objection]:
    return [item for item in objections(decision) if item.open]


def remote_objections(decision: Decision) -> int:
    """Objections other villages counted on the current version (network decisions)."""
    if not decision.options or decision.host_node is not None:
        return 0
    current = str(decision.options[-1].id)
    return sum(int(tally.counts.get(current, {}).get(str(OBJECTION), 0))
               for tally in db.session.scalars(select(RemoteTally).where(
                   RemoteTally.decision_id == decision.id)))


def _own(decision: Decision, member: Member | None, now: datetime | None = None) -> None:
    if decision.kind != DecisionKind.CONSENT:
        raise DecisionError(_("Seule une proposition par consentement s'amende ou se retire."))
    if member is None or member.id != decision.author_id:
        raise DecisionError(_("Seul·e l'auteur·rice de la proposition peut le faire."))
    if not accepting(decision, now):
        raise DecisionError(_("Cette proposition n'est plus ouverte."))


def amend(decision: Decision, member: Member | None, text: str,
          integrations: dict[str, str], now: datetime | None = None) -> DecisionOption:
    """A new version of the proposal; ``integrations`` maps each open objection's ``ref`` to
    how the new version answers it (every open objection must be answered)."""
    _own(decision, member, now)
    text = text.replace("\r\n", "\n").strip()
    current = decision.options[-1]
    if not text or len(text) > MAX_TEXT:
        raise DecisionError(_("Écrivez la nouvelle version (%(n)s caractères au plus).",
                              n=MAX_TEXT), "text")
    if text == current.details:
        raise DecisionError(_("La nouvelle version est identique à la précédente."), "text")
    still_open = {item.ref: item for item in open_objections(decision)}
    missing = [ref for ref in still_open if not integrations.get(ref, "").strip()]
    if missing:
        raise DecisionError(_("Dites pour chaque objection comment la nouvelle version "
                              "l'intègre."), "integration")
    for choice in db.session.scalars(select(BallotChoice).where(
            BallotChoice.option_id == current.id, BallotChoice.value == OBJECTION)):
        choice.integration = integrations.get(choice.ballot_key[:16], "").strip()[:2000]
    version = DecisionOption(position=current.position + 1,
                             label=_("Version %(n)s", n=current.position + 1), details=text)
    decision.options.append(version)
    decision.reminder_planned_at = None  # stances are asked again: remind again
    db.session.flush()
    villages.offer(decision)  # invited villages get the new version
    return version


def withdraw(decision: Decision, member: Member | None) -> None:
    """The author withdraws the proposal; it is closed, not adopted, and kept on record."""
    _own(decision, member)
    decision.state = DecisionState.WITHDRAWN
    decision.adopted = False
    decision.closed_at = utcnow()
    db.session.flush()
    villages.plan_results(decision)


def can_adopt(decision: Decision) -> tuple[bool, str]:
    """Adoption needs at least one consent and no open objection on the current version."""
    if decision.kind != DecisionKind.CONSENT:
        return False, _("Seule une proposition par consentement s'adopte.")
    if open_objections(decision) or remote_objections(decision):
        return False, _("Une objection est ouverte : la proposition ne peut pas être "
                        "adoptée. Amendez-la pour l'intégrer, ou retirez-la.")
    current = decision.options[-1]
    consents = db.session.scalar(select(BallotChoice.option_id).where(
        BallotChoice.option_id == current.id, BallotChoice.value == CONSENT).limit(1))
    if consents is None:
        return False, _("Personne n'a encore consenti à cette version.")
    return True, ""
