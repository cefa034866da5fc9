"""A member's answer to a decision, checked against its kind, and ideas members add.

Each person may change their answer until the close; only the latest counts (the ballot is
replaced, see :mod:`node.services.ballots`). Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from node.extensions import db
from node.models import Decision, DecisionKind, DecisionOption, Member
from node.services import ballots, villages
from node.services.decision_results import (
    CONSENT,
    GRADES,
    IF_NEED_BE,
    NO,
    OBJECTION,
    YES,
)
from node.services.decisions import DecisionError, accepting, may_take_part

MAX_REASON = 2000
MAX_IDEA = 300
MAX_IDEAS_PER_DECISION = 200


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw or not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 6:
        return None
    return int(raw)


def _dates(options: list[DecisionOption], raw: Mapping[int, str]) -> dict[int, int]:
    values = {}
    for option in options:
        value = _int(raw.get(option.id)) if raw.get(option.id) else NO
        if value not in (NO, IF_NEED_BE, YES):
            raise DecisionError(_("Réponse inconnue pour « %(slot)s ».", slot=option.label))
        values[option.id] = value
    return values


def _judgment(options: list[DecisionOption], raw: Mapping[int, str]) -> dict[int, int]:
    values = {}
    for option in options:
        value = _int(raw.get(option.id))
        if value is None or not 0 <= value < GRADES:
            raise DecisionError(_("Donnez une mention à « %(option)s ».", option=option.label))
        values[option.id] = value
    return values


def _points(decision: Decision, options: list[DecisionOption],
            raw: Mapping[int, str]) -> dict[int, int]:
    values = {}
    for option in options:
        value = _int(raw.get(option.id)) if raw.get(option.id) else 0
        if value is None or value < 0:
            raise DecisionError(_("Des points entiers, positifs ou nuls."))
        if value:
            values[option.id] = value
    budget = decision.points_budget or 0
    if sum(values.values()) > budget:
        raise DecisionError(_("Vous avez réparti %(used)s points sur %(budget)s.",
                              used=sum(values.values()), budget=budget))
    if not values:
        raise DecisionError(_("Répartissez au moins un point."))
    return values


def _supports(options: list[DecisionOption], raw: Mapping[int, str]) -> dict[int, int]:
    return {option.id: 1 for option in options if raw.get(option.id) == "1"}


def answer(decision: Decision, member: Member, raw: Mapping[int, str],
           reason: str = "") -> None:
    """Check and store ``member``'s answer (``raw``: option id -> submitted value)."""
    if not accepting(decision):
        raise DecisionError(_("Cette décision n'accepte pas de réponse en ce moment."))
    if not may_take_part(decision, member):
        raise DecisionError(_("Vous ne faites pas partie des personnes invitées à répondre."))
    options = decision.current_options
    notes: dict[int, str] = {}
    answered_round = 1
    if decision.kind == DecisionKind.DATES:
        values = _dates(options, raw)
    elif decision.kind == DecisionKind.JUDGMENT:
        values = _judgment(options, raw)
    elif decision.kind == DecisionKind.POINTS:
        values = _points(decision, options, raw)
    elif decision.kind == DecisionKind.QUESTION:
        values = _supports(options, raw)
    else:
        values, notes = _stance(options[0], raw, reason)
        answered_round = options[0].position
    ballots.write_ballot(decision, member, {option_id: (value, notes.get(option_id, ""))
                                            for option_id, value in values.items()},
                         answered_round)
    villages.plan_tally(decision)  # another village's decision: its host gets our count


def _stance(version: DecisionOption, raw: Mapping[int, str],
            reason: str) -> tuple[dict[int, int], dict[int, str]]:
    value = _int(raw.get(version.id))
    if value not in (OBJECTION, 1, CONSENT):
        raise DecisionError(_("Choisissez : je consens, je m'abstiens ou j'objecte."))
    reason = reason.replace("\r\n", "\n").strip()
    if value == OBJECTION and not reason:
        raise DecisionError(_("Une objection se motive : dites ce qui, dans la proposition, "
                              "nuirait au groupe."), "reason")
    if len(reason) > MAX_REASON:
        raise DecisionError(_("%(n)s caractères au plus.", n=MAX_REASON), "reason")
    return {version.id: value}, ({version.id: reason} if value == OBJECTION else {})


def add_idea(decision: Decision, member: Member, text: str) -> DecisionOption:
    """A member adds an idea (question ouverte) or an item (ordre du jour, vote à points)."""
    if decision.kind not in (DecisionKind.QUESTION, DecisionKind.POINTS):
        raise DecisionError(_("On n'ajoute pas d'idée à ce type de décision."))
    if not accepting(decision) or not may_take_part(decision, member):
        raise DecisionError(_("Cette décision n'accepte pas de nouvelle idée."))
    label = " ".join(text.split())
    if not label or len(label) > MAX_IDEA:
        raise DecisionError(_("Une idée tient en %(n)s caractères.", n=MAX_IDEA), "idea")
    if any(option.label.casefold() == label.casefold() for option in decision.options):
        raise DecisionError(_("Cette idée est déjà proposée : soutenez-la."), "idea")
    if len(decision.options) >= MAX_IDEAS_PER_DECISION:
        raise DecisionError(_("Cette décision a atteint le nombre d'idées possible."), "idea")
    option = DecisionOption(position=len(decision.options) + 1, label=label,
                            proposed_by_id=None if decision.anonymous else member.id)
    decision.options.append(option)
    db.session.flush()
    return option
