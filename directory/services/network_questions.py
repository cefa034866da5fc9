"""« Questions au réseau » on the Pays site: the questions villages share, with the answers
they show network-wide.

A village shares a question its member asked to the network as a ``question`` record (the
asker's « Prénom N. », the answers with names and villages, never an e-mail); it arrives
through the usual inbox and feed. Nothing of it is public (:mod:`audience`): the pages ask
for a « Réseau » audience, and an anonymous visitor gets nothing, not even a count. Few
enough to sort in Python, as the shared decisions are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import format_date
from sqlalchemy import select

from directory.extensions import db
from directory.models import Peer, Record
from directory.services.audience import Audience, visible_part
from directory.services.network import shown
from federation.records import parse_utc

LIMIT = 500
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class SharedAnswer:
    name: str
    village_name: str
    text: str
    helped: bool


@dataclass(frozen=True)
class SharedQuestion:
    id: str
    title: str
    details: str
    asker: str
    asked_on: str
    asked_at: datetime | None
    resolved: bool
    answer_count: int
    answers: list[SharedAnswer]
    territory: str
    territory_name: str


def _time(value: Any) -> datetime | None:
    try:
        return parse_utc(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _card(uuid: str, data: dict[str, Any], peer: Peer,
          names: dict[str, str]) -> SharedQuestion:
    asked_at = _time(data.get("asked_at"))
    answers = [SharedAnswer(str(item.get("name") or "?"),
                            names.get(str(item.get("village")), str(item.get("village"))),
                            str(item.get("text") or ""), item.get("helped") is True)
               for item in data.get("answers") or [] if isinstance(item, dict)]
    count = data.get("answer_count")
    return SharedQuestion(
        uuid, str(data.get("title") or "?"), str(data.get("details") or ""),
        str(data.get("asker") or "?"),
        str(format_date(asked_at.astimezone(PARIS).date(), "d MMMM y")) if asked_at else "",
        asked_at, data.get("state") == "resolved",
        count if isinstance(count, int) else len(answers), answers, peer.node_id, peer.label)


def _rows(audience: Audience, uuid: str | None = None) -> list[SharedQuestion]:
    names = {peer.node_id: peer.label for peer in db.session.scalars(select(Peer))}
    query = (select(Record, Peer).join(Peer, Peer.id == Record.peer_id)
             .where(Record.type == "question", Record.deleted.is_(False),
                    shown(Record.peer_id)))
    if uuid is not None:
        query = query.where(Record.uuid == uuid)
    cards = []
    for record, peer in db.session.execute(query.order_by(Record.updated.desc()).limit(LIMIT)):
        data = visible_part(audience, "question", record.payload)
        if data is not None:
            cards.append(_card(record.uuid, data, peer, names))
    return cards


def shared_questions(audience: Audience) -> list[SharedQuestion]:
    """The questions this audience may see (none for an anonymous visitor): open ones
    first, newest first."""
    cards = sorted(_rows(audience), key=lambda card: card.asked_at.timestamp()
                   if card.asked_at else 0.0, reverse=True)
    return sorted(cards, key=lambda card: card.resolved)


def find_question(audience: Audience, uuid: str) -> SharedQuestion | None:
    found = _rows(audience, uuid[:64])
    return found[0] if found else None


def _home() -> Peer | None:
    """The signed-in member's home village, if the Pays shows it and knows its site."""
    from webui.village_sign_in import current_member

    member = current_member()
    home = db.session.scalars(select(Peer).where(
        Peer.node_id == (member.village if member else ""), shown(Peer.id))).first()
    return home if home is not None and home.base_url else None


def answer_url(card: SharedQuestion) -> str:
    """Where the signed-in member answers: on their home village's site (its node sends
    the answer to the asker's village), or on the question's own page if they are of the
    asker's village. "" when their village is not known here."""
    home = _home()
    if home is None:
        return ""
    path = "/questions/" if home.node_id == card.territory else "/reseau/questions/"
    return f"{home.base_url}{path}{card.id}"


def ask_url() -> str:
    """Where the signed-in member asks the network: their home village's form, « Au réseau
    du Pays » already chosen (a question stays with the asker's village, which shares it).
    "" when their village is not known here."""
    home = _home()
    return f"{home.base_url}/questions?audience=network#poser" if home is not None else ""
