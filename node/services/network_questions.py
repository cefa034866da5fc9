"""Other villages' questions au réseau, read from the network copy, and the answers our
members send them.

The asker's village keeps the question and its answers; it shares them as a ``question``
record, which the Pays hands back in the signed network copy (section ``questions``). A
member of this village answers here, at home: we plan a signed ``question_answer`` notice
to the asker's node (:func:`node.services.villages.plan`, delivered with retries by the
worker), which stores it and shares the question again. The answer comes back with the
question's next version; until then the notice row we keep for its delivery is what shows it
to its author (:func:`sent_answers`), with where it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import format_date
from sqlalchemy import select

from federation.identity import short_name
from federation.records import parse_utc
from node.extensions import db
from node.models import Member, NetworkCopy, VillageMessage, utcnow
from node.models.base import new_uuid
from node.services.questions import MAX_TEXT, OPEN
from node.services.villages import own_node_id, plan

ANSWER, REPORT = "question_answer", "question_report"
PARIS = ZoneInfo("Europe/Paris")
#: How long a sent answer the network copy does not carry shows to its author: far beyond
#: the hourly refresh, and short enough that an answer the asker's staff hid does not stay.
SENT_SHOWN_FOR = timedelta(days=2)


def day(stamp: Any) -> str:
    """« 6 décembre 2026 » for an RFC 3339 time of a shared record ("" if unreadable)."""
    try:
        moment = parse_utc(stamp) if isinstance(stamp, str) else None
    except ValueError:
        return ""
    return str(format_date(moment.astimezone(PARIS).date(), "d MMMM y")) if moment else ""


@dataclass(frozen=True)
class NetworkQuestion:
    """A question of another village as the network copy gives it."""

    id: str
    origin: str
    village_name: str
    payload: dict[str, Any]

    @property
    def is_open(self) -> bool:
        return self.payload.get("state") == OPEN


def _names(data: dict[str, Any]) -> dict[str, str]:
    names = {str(node["node_id"]): str(node.get("name") or node["node_id"])
             for node in data.get("nodes", [])}
    for record in data.get("territories", []):
        names.setdefault(record["origin"], str(record["payload"].get("name", "")))
    return names


def from_copy(data: dict[str, Any] | None) -> list[NetworkQuestion]:
    """Other villages' questions in a network copy, open ones first, newest first."""
    if not data:
        return []
    own, names = own_node_id(), _names(data)
    found = [NetworkQuestion(record["id"], record["origin"],
                             names.get(record["origin"], record["origin"]), record["payload"])
             for record in data.get("questions", []) if record["origin"] != own]
    found.sort(key=lambda q: str(q.payload.get("asked_at", "")), reverse=True)
    return sorted(found, key=lambda q: not q.is_open)


def listed() -> list[NetworkQuestion]:
    row = db.session.get(NetworkCopy, 1)
    return from_copy(row.data if row is not None else None)


def find(question_uuid: str) -> NetworkQuestion | None:
    return next((q for q in listed() if q.id == question_uuid), None)


def village_name(node_id: str) -> str:
    row = db.session.get(NetworkCopy, 1)
    return _names(row.data or {}).get(node_id, node_id) if row is not None else node_id


def clean_answer(body: str) -> str | None:
    """The answer as sent, or None when empty or too long."""
    body = body.strip()
    return body if body and len(body) <= MAX_TEXT else None


def send_answer(question: NetworkQuestion, member: Member, body: str) -> VillageMessage:
    """Plan the signed notice carrying our member's answer to the asker's village
    (flushes; the caller commits, the worker delivers). Each answer has its own id, which
    is also the notice's topic, so two answers never overwrite each other."""
    answer_uuid = new_uuid()
    return plan(question.origin, ANSWER, answer_uuid, {
        "question": question.id, "answer": answer_uuid,
        "author": {"village": own_node_id() or "", "member": member.uuid,
                   "name": short_name(member.display_name)},
        "text": body})


def send_report(question: NetworkQuestion, answer_uuid: str, member: Member) -> bool:
    """Plan the signed notice telling the asker's village that our member finds one of the
    answers out of place (once per answer and member: same topic, same notice). False when
    the copy shows no such answer."""
    if not any(item.get("id") == answer_uuid for item in question.payload.get("answers", [])):
        return False
    plan(question.origin, REPORT, f"{answer_uuid}:{member.uuid}", {
        "question": question.id, "answer": answer_uuid,
        "reporter": {"village": own_node_id() or "", "member": member.uuid}})
    return True


@dataclass(frozen=True)
class SentAnswer:
    """One of our member's answers as it left here, while the network copy lacks it;
    ``state`` is its notice's delivery state (pending, retrying, delivered, failed)."""

    id: str
    name: str
    text: str
    state: str


def sent_answers(question: NetworkQuestion, member: Member) -> list[SentAnswer]:
    """The member's answers to this question that the network copy does not show yet, oldest
    first: so the page they answered from shows their answer at once, not an hour later."""
    shown = {item.get("id") for item in question.payload.get("answers", [])}
    rows = db.session.scalars(select(VillageMessage).where(
        VillageMessage.node_id == question.origin, VillageMessage.kind == ANSWER,
        VillageMessage.created_at >= utcnow() - SENT_SHOWN_FOR).order_by(VillageMessage.id))
    found = []
    for row in rows:
        body = row.body.get(ANSWER, {})
        if (body.get("question") == question.id and body.get("answer") not in shown
                and body.get("author", {}).get("member") == member.uuid):
            found.append(SentAnswer(str(body["answer"]), str(body["author"].get("name", "")),
                                    str(body.get("text", "")), row.state))
    return found
