"""What villages tell each other about answers to another village's rencontre
(docs/federation.md § 8.5): ``rsvp_state`` (host → home: the answer of one of our members
there, as it now stands) and ``rsvp_withdrawn`` (home → host: a member left their village,
forget their answer here so the place goes to the waitlist).

The signer is the host village (verified against the network list the Pays directory
signed); it may only speak of answers it holds, about our active members, with links on its
own site. We keep the newest state of each answer and mail the member after the commit.
Refusals are the protocol's JSON errors: ``notice_invalid`` (400), ``origin_mismatch``
(403), ``member_unknown`` (404), ``answer_outdated`` (409, a late retry: nothing changes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from federation.notice_fields import NoticeRefusal, invalid, text_field
from federation.records import parse_utc
from federation.verification import VerifiedPeer
from node.extensions import db
from node.models import Account, AccountStatus, Member, Rsvp
from node.services import answers_elsewhere, rsvps
from node.services.answers_elsewhere import AnswerNotTheirs, AnswerOutdated, AnswerState
from node.services.villages import village

MAX_SEQUENCE = 2**63 - 1
MAX_POSITION = 100_000


class AnswerNoticeRefused(NoticeRefusal):
    """An answer notice this node will not apply."""




def _time(data: dict[str, Any], name: str) -> datetime:
    value = data.get(name)
    try:
        if isinstance(value, str) and len(value) <= 32 and value.endswith("Z"):
            return parse_utc(value)
    except ValueError:
        pass
    raise invalid(f"{name}: RFC 3339 UTC time")


def _optional_int(value: Any, name: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid(f"{name}: an integer from {low} to {high}, or null")
    return value


def read_state(data: Any, base_url: str) -> AnswerState:
    """Check one notice's body; its links must lead to the signing village's own site."""
    if not isinstance(data, dict):
        raise invalid("rsvp_state must be an object")
    news, status = text_field(data, "news", 16), text_field(data, "status", 16)
    if news not in answers_elsewhere.NEWS or status not in answers_elsewhere.STATUSES:
        raise invalid("news or status: unknown value")
    sequence = _optional_int(data.get("sequence"), "sequence", 1, MAX_SEQUENCE)
    attended = data.get("attended")
    if sequence is None or not (attended is None or isinstance(attended, bool)):
        raise invalid("sequence is required; attended is true, false or null")
    starts_at, ends_at = _time(data, "starts_at"), _time(data, "ends_at")
    if ends_at <= starts_at:
        raise invalid("ends_at must be after starts_at")
    url = text_field(data, "url", 2048)
    if not url.startswith(base_url.rstrip("/") + "/"):
        raise AnswerNoticeRefused("origin_mismatch", "url must be on the sender's site", 403)
    return AnswerState(
        answer=text_field(data, "answer", 64), sequence=sequence, news=news, status=status,
        position=_optional_int(data.get("position"), "position", 1, MAX_POSITION),
        attended=attended, event_uuid=text_field(data, "event", 36),
        title=" ".join(text_field(data, "title", 160).split()),
        starts_at=starts_at, ends_at=ends_at, place=text_field(data, "place", 300, required=False),
        url=url)


def _member(data: Any) -> Member:
    uuid = data.get("member") if isinstance(data, dict) else None
    if not isinstance(uuid, str) or len(uuid) > 36:
        raise invalid("member: our member's UUID")
    member: Member | None = db.session.scalars(db.select(Member).join(Account).where(
        Member.uuid == uuid, Account.status == AccountStatus.ACTIVE)).first()
    if member is None:
        raise AnswerNoticeRefused("member_unknown", "no active member with this UUID", 404)
    return member


def receive_rsvp_state(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    """Store the newest state of one of our members' answers there; mail after the commit."""
    host = village(peer.node_id)
    if host is None:
        raise AnswerNoticeRefused("origin_mismatch", "not a village of the network list", 403)
    state = read_state(data, str(host.get("base_url", "")))
    member = _member(data)
    try:
        row = answers_elsewhere.record(member, peer.node_id,
                                       str(host.get("name") or peer.node_id), state)
    except AnswerOutdated:
        db.session.rollback()
        raise AnswerNoticeRefused("answer_outdated",
                                  "a newer state of this answer is stored", 409) from None
    except AnswerNotTheirs:
        db.session.rollback()
        raise AnswerNoticeRefused("origin_mismatch",
                                  "this answer belongs to another member", 403) from None
    db.session.commit()
    answers_elsewhere.tell_member(row, state.news)  # mail leaves after the commit
    return {"applied": "rsvp_state", "answer": state.answer, "sequence": state.sequence}


def receive_rsvp_withdrawn(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    """A visitor's village says they left it: their answer here is forgotten and their place
    goes to the waitlist (mailed after the commit). Only that village may ask."""
    if not isinstance(data, dict):
        raise invalid("rsvp_withdrawn must be an object")
    answer, member = text_field(data, "answer", 64), text_field(data, "member", 36)
    rsvp = db.session.get(Rsvp, int(answer)) if answer.isdigit() else None
    if rsvp is None or rsvp.home_village != peer.node_id or rsvp.home_member != member:
        raise AnswerNoticeRefused("answer_unknown", "no answer of that member here", 404)
    from node.sharing.visitor_answers import forget_quietly

    forget_quietly(db.session(), rsvp)
    freed = rsvps.remove_answer(rsvp)
    db.session.commit()
    rsvps.tell_freed(freed)  # the waitlist's promotions leave after the commit
    return {"applied": "rsvp_withdrawn", "answer": answer}
