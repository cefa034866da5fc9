"""Answering a listing through the site, within the village: the message reaches the author
by mail from the node (the sender's address is not in it); when the author answers on the
site, both learn each other's address (the author chose to answer). Each function flushes;
the caller commits; the notices worker mails after the commit.

Across villages this needs the relay of the network identity issue; not built yet.
"""

from __future__ import annotations

from sqlalchemy import select

from node.extensions import db
from node.models import Listing, ListingReply, Member, utcnow
from node.services import notices
from node.services.visibility import Viewer, can_see_listing

MAX_MESSAGE = 4000


def may_reply(listing: Listing, sender: Member) -> bool:
    """Someone else's listing the sender may see (and so answer)."""
    return (listing.member_id != sender.id
            and can_see_listing(Viewer.for_account(sender.account), listing))


def send(listing: Listing, sender: Member, body: str) -> ListingReply | None:
    """None when the message is empty or too long (nothing written)."""
    body = body.strip()
    if not body or len(body) > MAX_MESSAGE:
        return None
    reply = ListingReply(listing=listing, sender=sender, body=body)
    db.session.add(reply)
    db.session.flush()
    notices.plan("listing_reply", f"reply:{reply.id}", [listing.member.account])
    return reply


def find(reply_uuid: str) -> ListingReply | None:
    return db.session.scalars(select(ListingReply).where(ListingReply.uuid == reply_uuid)
                              ).first()


def answer(reply: ListingReply, body: str) -> bool:
    """The author's answer (once): mailed to the sender with the author's address."""
    body = body.strip()
    if reply.answered_at is not None or not body or len(body) > MAX_MESSAGE:
        return False
    reply.answer, reply.answered_at = body, utcnow()
    db.session.flush()
    notices.plan("listing_reply_answer", f"reply:{reply.id}", [reply.sender.account])
    return True
