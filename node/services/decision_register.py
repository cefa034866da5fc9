"""The register of decisions (registre des décisions): every closed decision and its outcome,
as a printable page and a CSV file for the community and its funders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from node.models import Decision
from node.services import calendar
from node.services.decisions import register
from node.services.notice_texts import outcome_line
from node.services.spreadsheets import write_csv


@dataclass(frozen=True)
class RegisterRow:
    decision: Decision
    closed_on: str
    kind: str
    outcome: str
    participants: int


def kind_names() -> dict[str, str]:
    return {"dates": _("Sondage de dates"), "consent": _("Proposition par consentement"),
            "judgment": _("Jugement majoritaire"), "points": _("Vote à points"),
            "question": _("Question ouverte")}


def _day(moment: datetime | None) -> str:
    return calendar.to_local(moment).date().isoformat() if moment else ""


def rows() -> list[RegisterRow]:
    names = kind_names()
    return [RegisterRow(decision, _day(decision.closed_at), names.get(decision.kind, ""),
                        outcome_line(decision), int((decision.outcome or {}).get(
                            "participants", 0)))
            for decision in register()]


def as_csv() -> bytes:
    header = [_("Clôture"), _("Titre"), _("Type"), _("Participant·e·s"), _("Résultat"),
              _("Anonyme"), _("Identifiant")]
    lines = [[row.closed_on, row.decision.title, row.kind, str(row.participants),
              row.outcome, _("oui") if row.decision.anonymous else _("non"), row.decision.uuid]
             for row in rows()]
    return write_csv(header, lines)
