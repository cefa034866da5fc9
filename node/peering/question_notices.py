"""What another village may tell this node about questions au réseau.

Two notices arrive in the node inbox, signed by a village of the signed network list:

* ``question_answer`` — a member of that village answered, at home, a question one of our
  members asked the network. We store the answer (the asker is mailed by the notices worker
  after the commit), and the question's next version carries it to the Pays and the other
  villages;
* ``question_report`` — a member of that village finds an answer to one of our questions
  out of place: our staff are told, as for a report made here.

The signer speaks only for its own members: the author's or reporter's village must be the
signer. Refusals are the protocol's JSON errors (docs/federation.md § 8.4).
"""

from __future__ import annotations

from typing import Any

from federation.notice_fields import NoticeRefusal, invalid, uuid_field
from federation.verification import VerifiedPeer
from node.extensions import db
from node.services import questions

ANSWER, REPORT = "question_answer", "question_report"


class QuestionNoticeRefused(NoticeRefusal):
    """A question notice this node will not apply."""




def _person(peer: VerifiedPeer, data: dict[str, Any], role: str) -> dict[str, Any]:
    """The ``author`` or ``reporter`` object: a member of the signing village."""
    person = data.get(role)
    if not isinstance(person, dict):
        raise invalid(f"{role}: an object")
    if person.get("village") != peer.node_id:
        raise QuestionNoticeRefused("origin_mismatch",
                                    "a village speaks only for its own members", 403)
    return person


def _author(peer: VerifiedPeer, data: dict[str, Any]) -> tuple[str, str]:
    """(member UUID at home, « Prénom N. ») of an author of the signing village."""
    author = _person(peer, data, "author")
    name = author.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise invalid("author.name: 1 to 200 characters")
    return uuid_field(author, "member"), name


def receive_answer(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    """Store another village's answer to one of our network questions (idempotent: the
    same answer id again changes nothing)."""
    if not isinstance(data, dict):
        raise invalid("question_answer must be an object")
    question_uuid, answer_uuid = uuid_field(data, "question"), uuid_field(data, "answer")
    member_uuid, name = _author(peer, data)
    text = data.get("text")
    if not isinstance(text, str):
        raise invalid("text: a string")
    try:
        _, new = questions.take_remote_answer(question_uuid, answer_uuid, peer.node_id,
                                              member_uuid, name, text)
    except questions.RemoteAnswerRefused as refused:
        db.session.rollback()
        raise QuestionNoticeRefused(refused.code, refused.message, refused.status) from None
    db.session.commit()
    return {"applied": ANSWER, "question": question_uuid, "answer": answer_uuid,
            "stored": new}


def receive_report(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    """Tell our staff that a member of the signing village reported an answer shown with one
    of our network questions (once per answer and reporter)."""
    if not isinstance(data, dict):
        raise invalid("question_report must be an object")
    question_uuid, answer_uuid = uuid_field(data, "question"), uuid_field(data, "answer")
    reporter = uuid_field(_person(peer, data, "reporter"), "member")
    question = questions.find(question_uuid)
    found = None if question is None or question.audience != "network" else next(
        (a for a in question.answers if a.uuid == answer_uuid and not a.hidden), None)
    if found is None:
        raise QuestionNoticeRefused("question_unknown", "no such answer shown here", 404)
    questions.report_to_staff(found, f"answer:{found.id}:village:{peer.node_id}:{reporter}")
    db.session.commit()
    return {"applied": REPORT, "question": question_uuid, "answer": answer_uuid}
