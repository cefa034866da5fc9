"""Questions au réseau, within the village: a member asks, peers answer, the asker marks the
answers that helped; the staff hide an answer and receive reports (mailed after the commit
by the notices worker). Each function flushes; the caller commits.

A question meant for the network is shown here with that audience; carrying questions and
answers between villages (over the signed protocol, through the asker's node) is not built
yet.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    Answer,
    Member,
    Question,
    Role,
    Visibility,
    utcnow,
)
from node.services import notices
from vocabulary.matching import prepare, score

MAX_TITLE, MAX_TEXT = 200, 4000
AUDIENCES = (Visibility.COMMUNITY.value, Visibility.NETWORK.value)


def clean_question(title: str, details: str, audience: str) -> dict[str, str]:
    """Errors by field (empty when the question may be asked)."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Posez votre question en une phrase.")
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = _("%(n)s caractères au plus.", n=MAX_TITLE)
    if len(details) > MAX_TEXT:
        errors["details"] = _("%(n)s caractères au plus.", n=MAX_TEXT)
    if audience not in AUDIENCES:
        errors["audience"] = _("Choisissez à qui vous la posez.")
    return errors


def ask(member: Member, title: str, details: str, audience: str) -> Question:
    question = Question(member=member, title=" ".join(title.split()), details=details.strip(),
                        audience=audience)
    db.session.add(question)
    db.session.flush()
    return question


def find(question_uuid: str) -> Question | None:
    return db.session.scalars(select(Question).where(Question.uuid == question_uuid)).first()


def recent(limit: int = 50) -> list[Question]:
    return list(db.session.scalars(select(Question).order_by(Question.created_at.desc(),
                                                            Question.id.desc()).limit(limit)))


def answer(question: Question, member: Member, body: str) -> Answer | None:
    """None when the answer is empty or too long (nothing written)."""
    body = body.strip()
    if not body or len(body) > MAX_TEXT:
        return None
    found = Answer(question=question, member=member, body=body)
    db.session.add(found)
    db.session.flush()
    return found


def mark_helped(found: Answer, by: Member) -> bool:
    """Only the asker says which answers helped (a second click takes it back)."""
    if found.question.member_id != by.id:
        return False
    found.helped = not found.helped
    db.session.flush()
    return True


def hide(found: Answer) -> None:
    """Staff only (checked by the view): the answer stays, no longer shown to members."""
    found.hidden = True
    db.session.flush()


def report(found: Answer, by: Member) -> int:
    """Tell the node's staff that an answer seems out of place (once per answer and
    reporter); how many were planned."""
    staff = db.session.scalars(select(Account).where(
        Account.status == AccountStatus.ACTIVE.value,
        Account.role.in_([Role.ADMIN.value, Role.ANIMATOR.value])))
    return notices.plan("answer_report", f"answer:{found.id}:{by.id}", list(staff),
                        {"answer": found.id})


def could_answer(member: Member, since: datetime, now: datetime | None = None,
                 limit: int = 5) -> list[Question]:
    """Questions asked since ``since`` by others that the member's trade and skills answer
    (the weekly round-up)."""
    mine = prepare(" ".join([member.trade, *member.skills]))
    if not mine.concepts:
        return []
    asked = db.session.scalars(select(Question).where(
        Question.created_at >= since, Question.created_at <= (now or utcnow()),
        Question.member_id != member.id).order_by(Question.created_at.desc()))
    return [q for q in asked
            if score(prepare(f"{q.title} {q.details}"), mine).parts.get("skills")][:limit]
