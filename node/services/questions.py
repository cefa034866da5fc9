"""Questions au réseau, within the village: a member asks, peers answer, the asker marks the
answers that helped; the staff hide an answer and receive reports (mailed after the commit
by the notices worker). Each function flushes; the caller commits.

A question meant for the network is also a shared record (``question``, see
``node/sharing/payloads.question_payload``): every change of it or of its answers touches
the question, so a new version reaches the Pays and the other villages' « Réseau » page.
Members of other villages answer at home; their node sends the answer here
(``node/peering/question_notices.py``), where :func:`take_remote_answer` stores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from federation.identity import short_name
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
from node.services.villages import own_node_id
from vocabulary.matching import prepare, score

MAX_TITLE, MAX_TEXT = 200, 4000
AUDIENCES = (Visibility.COMMUNITY.value, Visibility.NETWORK.value)
OPEN, RESOLVED = "open", "resolved"
#: Answers one member of another village may send within an hour (then ``rate_limited``).
REMOTE_ANSWERS_PER_HOUR = 10


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
                        audience=audience, answers=[])
    db.session.add(question)
    db.session.flush()
    return question


def find(question_uuid: str) -> Question | None:
    return db.session.scalars(select(Question).where(Question.uuid == question_uuid)).first()


def recent(limit: int = 50) -> list[Question]:
    return list(db.session.scalars(select(Question).order_by(Question.created_at.desc(),
                                                            Question.id.desc()).limit(limit)))


def _touch(question: Question) -> None:
    """An answer changed: the question is a new version, so what the network sees of it
    (answers, helpful marks, hidden answers gone) follows. Its answers are loaded now, not
    by the payload while the flush runs."""
    question.member  # noqa: B018 - the payload names the asker
    for found in question.answers:
        found.member  # noqa: B018 - and each answer's author
    question.updated_at = utcnow()


def _add_answer(question: Question, found: Answer) -> None:
    """Append to the loaded collection (a lazy load inside the flush would replace the new
    row in the identity map), then flush."""
    _touch(question)
    question.answers.append(found)
    db.session.flush()


def answer(question: Question, member: Member, body: str) -> Answer | None:
    """None when the answer is empty or too long (nothing written). The asker is mailed
    (after the caller's commit, by the notices worker)."""
    body = body.strip()
    if not body or len(body) > MAX_TEXT:
        return None
    found = Answer(member=member, body=body, author_village=own_node_id() or "",
                   author_uuid=member.uuid, author_name=short_name(member.display_name))
    _add_answer(question, found)
    if member.id != question.member_id:
        _tell_asker(found)
    return found


def _tell_asker(found: Answer) -> None:
    account = found.question.member.account if found.question.member else None
    if account is not None and account.status == AccountStatus.ACTIVE.value:
        notices.plan("question_answered", f"answer:{found.uuid}", [account],
                     {"answer": found.id})


class RemoteAnswerRefused(Exception):
    """Why an answer sent by another village is not stored: ``code`` is the protocol's
    error, ``status`` its HTTP answer."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def take_remote_answer(question_uuid: str, answer_uuid: str, village: str,
                       author_uuid: str, author_name: str, body: str,
                       now: datetime | None = None) -> tuple[Answer, bool]:
    """Store an answer a member of ``village`` wrote at home (flushes); True when it is
    new (the same answer sent again changes nothing). Refused: unknown question, not meant
    for the network, resolved, too long or empty, too many from that member this hour."""
    question = find(question_uuid)
    if question is None:
        raise RemoteAnswerRefused("question_unknown", "no such question here", 404)
    if question.audience != Visibility.NETWORK.value:
        raise RemoteAnswerRefused("question_unknown", "this question is not asked to the "
                                  "network", 404)
    known = db.session.scalars(select(Answer).where(Answer.uuid == answer_uuid)).first()
    if known is not None:
        if known.question_id != question.id or known.author_village != village:
            raise RemoteAnswerRefused("origin_mismatch", "this answer is not yours", 403)
        return known, False
    if question.state != OPEN:
        raise RemoteAnswerRefused("question_closed", "the question is resolved", 409)
    body = body.strip()
    if not body or len(body) > MAX_TEXT:
        raise RemoteAnswerRefused("notice_invalid", f"text: 1 to {MAX_TEXT} characters", 400)
    since = (now or utcnow()) - timedelta(hours=1)
    recent_count = db.session.scalar(select(func.count()).select_from(Answer).where(
        Answer.author_village == village, Answer.author_uuid == author_uuid,
        Answer.created_at >= since))
    if (recent_count or 0) >= REMOTE_ANSWERS_PER_HOUR:
        raise RemoteAnswerRefused("rate_limited", "too many answers from this member", 429)
    found = Answer(uuid=answer_uuid, member=None, body=body, author_village=village,
                   author_uuid=author_uuid, author_name=short_name(author_name)[:200])
    _add_answer(question, found)
    _tell_asker(found)
    return found, True


def mark_helped(found: Answer, by: Member) -> bool:
    """Only the asker says which answers helped (a second click takes it back)."""
    if found.question.member_id != by.id:
        return False
    found.helped = not found.helped
    _touch(found.question)
    db.session.flush()
    return True


def resolve(question: Question, by: Member) -> bool:
    """Only the asker says the question is resolved (or open again); a resolved question
    takes no more answers from other villages."""
    if question.member_id != by.id:
        return False
    question.state = OPEN if question.state == RESOLVED else RESOLVED
    db.session.flush()
    return True


def hide(found: Answer) -> None:
    """Staff only (checked by the view): the answer stays, no longer shown to members, nor
    to the network (the question's next version leaves it out)."""
    found.hidden = True
    _touch(found.question)
    db.session.flush()


def report(found: Answer, by: Member) -> int:
    """Tell the node's staff that an answer seems out of place (once per answer and
    reporter); how many were planned."""
    return report_to_staff(found, f"answer:{found.id}:member:{by.id}")


def report_to_staff(found: Answer, key: str) -> int:
    """Plan the staff's ``answer_report`` mail; ``key`` names the reporter (one mail per
    answer and reporter). The admin page of reports reads these rows."""
    staff = db.session.scalars(select(Account).where(
        Account.status == AccountStatus.ACTIVE.value,
        Account.role.in_([Role.ADMIN.value, Role.ANIMATOR.value])))
    return notices.plan("answer_report", key, list(staff), {"answer": found.id})


def forget_member(member: Member, _freed: object) -> None:
    """A member is deleted (``members.on_member_deleted``): their questions go through the
    session, so a question shared with the network leaves as a tombstone, and the questions
    they answered are shared again without their answers (the database cascade alone would
    delete the rows and tell nobody)."""
    answered = db.session.scalars(select(Answer).where(Answer.member_id == member.id)).all()
    for found in answered:
        question = found.question
        _touch(question)
        question.answers.remove(found)
    for question in db.session.scalars(select(Question).where(Question.member_id == member.id)):
        db.session.delete(question)
    db.session.flush()


@dataclass(frozen=True)
class Reported:
    """An answer the staff were told about, with how many people reported it."""

    answer: Answer
    reporters: int


def reported() -> list[Reported]:
    """Reported answers, those still shown first, most reported first (the staff's page)."""
    from node.models import Notice

    keys = db.session.execute(select(Notice.data, Notice.subject_key).where(
        Notice.kind == "answer_report")).all()
    reporters: dict[int, set[str]] = {}
    for data, key in keys:
        answer_id = int((data or {}).get("answer", 0))
        reporters.setdefault(answer_id, set()).add(key)
    found = db.session.scalars(select(Answer).where(Answer.id.in_(list(reporters))))
    items = [Reported(a, len(reporters[a.id])) for a in found]
    return sorted(items, key=lambda item: (item.answer.hidden, -item.reporters, -item.answer.id))


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
