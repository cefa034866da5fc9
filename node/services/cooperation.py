"""« Mise en relation réussie »: two members say they worked together after a conversation
the site carried (a message thread about a listing, an answer to a question). It counts for
the funders, numbers only, once both said so.

The rule, written once here:

* a conversation is named by a key (``reply:<uuid>``, ``answer:<uuid>``) and has two sides:
  the *owner* (author of the listing or the question) and the *other* (who wrote to them or
  answered); only they may say it, each once;
* one side alone counts nothing; when the second side says it, the conversation counts
  **once**, in the month (Paris time) of that second confirmation;
* it counts for the village of the owner: within a village both sides live on this node,
  so this node counts it. A conversation with another village (a relayed message, an answer
  from elsewhere) names the far side ``<node_id>:<member uuid>`` and is counted on the
  owner's node only (:mod:`node.services.relayed_cooperation`).

Each function flushes; the caller commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from node.extensions import db
from node.models import Answer, Cooperation, ListingReply, Member, utcnow
from node.services.calendar import PARIS

#: Key prefix of a conversation counted in another village (the owner's): this node keeps its
#: row only to show where it stands (node.services.relayed_cooperation); never counted here.
ELSEWHERE = "elsewhere:"


class Said(StrEnum):
    """Where a conversation stands for one of its sides."""

    NOT_YET = "not_yet"  # this side has not said it
    WAITING = "waiting"  # this side said it, the other not yet
    CONFIRMED = "confirmed"  # both said it: counted


@dataclass(frozen=True)
class Conversation:
    """A conversation that may end in a « mise en relation réussie »: its key and the
    names of its two sides (``member:<uuid>`` on this node)."""

    key: str
    owner: str
    other: str


def party(member: Member) -> str:
    """How a member of this node is named as a side of a conversation."""
    return f"member:{member.uuid}"


def of_reply(reply: ListingReply) -> Conversation | None:
    """A message about a listing, once its author answered it (before that the two have
    not been put in touch: neither address was shown)."""
    if reply.answered_at is None:
        return None
    return Conversation(f"reply:{reply.uuid}", party(reply.listing.member), party(reply.sender))


def of_answer(answer: Answer) -> Conversation | None:
    """An answer to a question, by another member than the asker, not hidden by the staff.
    An answer from another village (``member`` empty) has its author named
    ``<village>:<member uuid>``: they say it at home, their village tells this one
    (:mod:`node.services.relayed_cooperation`)."""
    if answer.hidden or answer.member_id == answer.question.member_id:
        return None
    if answer.member is None:
        if not answer.author_village or not answer.author_uuid:
            return None
        return Conversation(f"answer:{answer.uuid}", party(answer.question.member),
                            f"{answer.author_village}:{answer.author_uuid}")
    return Conversation(f"answer:{answer.uuid}", party(answer.question.member),
                        party(answer.member))


def find(key: str) -> tuple[Conversation, ListingReply | Answer] | None:
    """The conversation a key names on this node, with what it is about; None when the key
    names nothing (or nothing that may end in a mise en relation yet)."""
    kind, _, ident = key.partition(":")
    if kind == "reply":
        reply = db.session.scalars(select(ListingReply).where(ListingReply.uuid == ident)
                                   ).first()
        found = of_reply(reply) if reply is not None else None
        return (found, reply) if found is not None and reply is not None else None
    if kind == "answer":
        answer = db.session.scalars(select(Answer).where(Answer.uuid == ident)).first()
        found = of_answer(answer) if answer is not None else None
        return (found, answer) if found is not None and answer is not None else None
    return None


@dataclass(frozen=True)
class Thread:
    """One line of a member's « Mises en relation » page."""

    conversation: Conversation
    subject: str  # the listing's or the question's title
    with_name: str  # the other side's name
    said: Said
    about: ListingReply | Answer


def threads_of(member: Member) -> list[Thread]:
    """The member's conversations that may end in a mise en relation, newest first: the
    answered messages about their listings or sent by them, and the answers to their
    questions or written by them."""
    me = party(member)
    found: list[tuple[datetime, Thread]] = []
    replies = db.session.scalars(select(ListingReply).where(
        ListingReply.answered_at.is_not(None)).where(
        (ListingReply.sender_id == member.id)
        | ListingReply.listing.has(member_id=member.id)))
    for reply in replies:
        conversation = of_reply(reply)
        if conversation is None:
            continue
        other = reply.sender if reply.sender_id != member.id else reply.listing.member
        found.append((reply.answered_at or reply.created_at, Thread(
            conversation, reply.listing.title, other.display_name,
            state(conversation, me), reply)))
    answers = db.session.scalars(select(Answer).where(
        (Answer.member_id == member.id) | Answer.question.has(member_id=member.id)))
    for answer in answers:
        conversation = of_answer(answer)
        if conversation is None:
            continue
        peer = answer.member if answer.member_id != member.id else answer.question.member
        found.append((answer.created_at, Thread(
            conversation, answer.question.title,
            peer.display_name if peer is not None else answer.author_name,
            state(conversation, me), answer)))
    return [thread for _, thread in sorted(found, key=lambda item: item[0], reverse=True)]


def _row(conversation: Conversation) -> Cooperation | None:
    return db.session.scalars(select(Cooperation).where(
        Cooperation.conversation == conversation.key)).first()


def state(conversation: Conversation, side: str) -> Said:
    """What ``side`` sees on the button of this conversation."""
    row = _row(conversation)
    if row is None:
        return Said.NOT_YET
    if row.confirmed_at is not None:
        return Said.CONFIRMED
    said = row.owner_said_at if side == conversation.owner else row.other_said_at
    return Said.WAITING if said is not None else Said.NOT_YET


def confirm(conversation: Conversation, side: str, now: datetime | None = None) -> Said | None:
    """``side`` says « nous avons travaillé ensemble ». None when ``side`` is not one of
    the two (nothing written); saying it twice changes nothing; the second side's word
    counts the conversation, once, at ``now``."""
    if side not in (conversation.owner, conversation.other) or conversation.owner == \
            conversation.other:
        return None
    now = now or utcnow()
    row = _row(conversation)
    if row is None:
        row = Cooperation(conversation=conversation.key)
        db.session.add(row)
    if side == conversation.owner:
        row.owner_said_at = row.owner_said_at or now
    else:
        row.other_said_at = row.other_said_at or now
    if row.confirmed_at is None and row.owner_said_at and row.other_said_at:
        row.confirmed_at = now
    db.session.flush()
    return Said.CONFIRMED if row.confirmed_at is not None else Said.WAITING


def monthly_counts(since: datetime | None = None,
                   until: datetime | None = None) -> list[tuple[str, int]]:
    """(``YYYY-MM`` Paris time, how many) of the conversations confirmed in [since, until),
    by month, oldest first: numbers only. Mirrors of conversations counted in another
    village are left out (each counts once, in its owner's village)."""
    query = select(Cooperation.confirmed_at).where(
        Cooperation.confirmed_at.is_not(None),
        Cooperation.conversation.not_like(f"{ELSEWHERE}%"))
    if since is not None:
        query = query.where(Cooperation.confirmed_at >= since)
    if until is not None:
        query = query.where(Cooperation.confirmed_at < until)
    months = Counter(moment.astimezone(PARIS).strftime("%Y-%m")
                     for moment in db.session.scalars(query) if moment is not None)
    return sorted(months.items())
