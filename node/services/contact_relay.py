"""Writing to a member of another village without either address travelling.

The form lives at the **sender's** home node, which knows who is signed in and vouches for
them: it keeps the message (:class:`~node.models.ContactSent`) and plans a signed
``contact_message`` notice for the recipient's home node, naming the recipient by member id
and the sender by name and member id only. The recipient's node checks the recipient, the
blocks and the rate limits, keeps the message (:class:`~node.models.ContactReceived`) and
mails it to its member with a link to answer on the site. The answer travels back as
``contact_reply`` with the recipient's address: they chose to answer, and the sender may now
write to them directly. Same-village messages keep using :mod:`node.services.replies`.

Every function flushes; the caller (view or notice handler) commits; mail leaves after the
commit through :mod:`node.services.notices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from federation.notice_fields import NoticeRefusal
from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    ContactBlock,
    ContactReceived,
    ContactSent,
    Listing,
    Member,
    NetworkCopy,
    Role,
    VillageMessage,
    utcnow,
)
from node.services import notices
from node.services.villages import own_node_id, plan, village
from node.services.visibility import network_payload

MESSAGE, REPLY = "contact_message", "contact_reply"
MAX_TEXT = 4000
#: At both ends: what one member may send in a day, what one village may send in an hour.
PER_MEMBER_DAY = 10
PER_VILLAGE_HOUR = 30


class ContactError(Exception):
    """A message the sender's form refuses; the text is French, for the form."""


class ContactRefused(NoticeRefusal):
    """A relayed notice the recipient's node will not apply."""


@dataclass(frozen=True)
class Recipient:
    """A member of another village as the network copy shows them."""

    node_id: str
    village_name: str
    member_uuid: str
    name: str
    listing_uuid: str = ""
    listing_title: str = ""


def village_name(node_id: str) -> str:
    """A village's name as the network list gives it (its node id when unlisted)."""
    found = village(node_id)
    return str(found.get("name") or node_id) if found else node_id


def write_from_elsewhere(member: Member) -> list[tuple[str, str]]:
    """For a visitor of this site who belongs to another village: (village name, address of
    the form on that village's site) for each village of the network, when the member
    shares their profile with the network (else their village would refuse the message)."""
    here = own_node_id()
    if here is None or network_payload(member) is None:
        return []
    from node.services.villages import known_villages

    return [(str(node.get("name") or node["node_id"]),
             f"{str(node['base_url']).rstrip('/')}/reseau/ecrire/{here}/{member.uuid}")
            for node in known_villages() if node.get("base_url")]


def _copy() -> dict[str, Any]:
    row = db.session.get(NetworkCopy, 1)
    return (row.data or {}) if row is not None else {}


def find_recipient(node_id: str, member_uuid: str, listing_uuid: str = "") -> Recipient | None:
    """The member, and the listing being answered, as the signed network copy shows them;
    None for our own village, a village the copy does not list, or a member it does not hold
    (they stopped sharing, or never did)."""
    place = village(node_id)
    if place is None or node_id == own_node_id():
        return None
    data = _copy()
    member = next((record for record in data.get("members", [])
                   if record.get("id") == member_uuid and record.get("origin") == node_id),
                  None)
    if member is None:
        return None
    listing = next((record for record in data.get("listings", [])
                    if listing_uuid and record.get("id") == listing_uuid
                    and record.get("origin") == node_id
                    and record["payload"].get("member_id") == member_uuid), None)
    return Recipient(node_id, str(place.get("name") or node_id), member_uuid,
                     str(member["payload"]["display_name"]),
                     listing["id"] if listing else "",
                     str(listing["payload"]["title"]) if listing else "")


def _sent_since(delta: timedelta, sender: Member | None = None) -> int:
    query = select(func.count(ContactSent.id)).where(ContactSent.created_at >= utcnow() - delta)
    if sender is not None:
        query = query.where(ContactSent.sender_id == sender.id)
    return int(db.session.scalar(query) or 0)


def write(sender: Member, to: Recipient, text: str) -> ContactSent:
    """Keep the message and plan its notice (flushes); ContactError says why not."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise ContactError(_("Écrivez votre message (4000 caractères au plus)."))
    if _sent_since(timedelta(days=1), sender) >= PER_MEMBER_DAY:
        raise ContactError(_("Vous avez déjà écrit %(num)s messages dans le réseau "
                             "aujourd'hui. Réessayez demain.", num=PER_MEMBER_DAY))
    if _sent_since(timedelta(hours=1)) >= PER_VILLAGE_HOUR:
        raise ContactError(_("Le village a envoyé beaucoup de messages dans l'heure. "
                             "Réessayez un peu plus tard."))
    row = ContactSent(sender=sender, to_node=to.node_id, to_member=to.member_uuid,
                      to_name=to.name[:120], about_uuid=to.listing_uuid,
                      about_title=to.listing_title[:200], body=text)
    db.session.add(row)
    db.session.flush()
    about = ({"listing": to.listing_uuid, "title": to.listing_title[:200]}
             if to.listing_uuid else None)
    plan(to.node_id, MESSAGE, f"contact:{row.uuid}", {
        "id": row.uuid, "to": to.member_uuid,
        "from": {"member": sender.uuid, "name": sender.display_name},
        "about": about, "text": text})
    return row


@dataclass(frozen=True)
class Incoming:
    """A ``contact_message`` notice once its shape was checked."""

    id: str
    to: str
    from_member: str
    from_name: str
    about_uuid: str
    about_title: str
    text: str


def _received_since(delta: timedelta, node_id: str, member_uuid: str = "") -> int:
    query = select(func.count(ContactReceived.id)).where(
        ContactReceived.from_node == node_id, ContactReceived.received_at >= utcnow() - delta)
    if member_uuid:
        query = query.where(ContactReceived.from_member == member_uuid)
    return int(db.session.scalar(query) or 0)


#: A block row naming every sender: the member receives no message from other villages.
EVERYONE = "*"


def is_blocked(member: Member, node_id: str, member_uuid: str) -> bool:
    """This sender is blocked, or the member declined every message from other villages."""
    return db.session.scalars(select(ContactBlock.id).where(
        ContactBlock.member_id == member.id,
        or_(and_(ContactBlock.from_node == node_id, ContactBlock.from_member == member_uuid),
            ContactBlock.from_node == EVERYONE))).first() is not None


def sender_blocked(received: ContactReceived) -> bool:
    """The recipient blocked this very sender."""
    return db.session.scalars(select(ContactBlock.id).where(
        ContactBlock.member_id == received.recipient_id,
        ContactBlock.from_node == received.from_node,
        ContactBlock.from_member == received.from_member)).first() is not None


def refuses_all(member: Member) -> bool:
    return db.session.scalars(select(ContactBlock.id).where(
        ContactBlock.member_id == member.id, ContactBlock.from_node == EVERYONE)
    ).first() is not None


def accept_all(member: Member, accept: bool) -> None:
    """Open or close the member's door to messages from other villages (flushes)."""
    row = db.session.scalars(select(ContactBlock).where(
        ContactBlock.member_id == member.id, ContactBlock.from_node == EVERYONE)).first()
    if accept and row is not None:
        db.session.delete(row)
    elif not accept and row is None:
        db.session.add(ContactBlock(member_id=member.id, from_node=EVERYONE,
                                    from_member=EVERYONE))
    db.session.flush()


def _recipient(member_uuid: str) -> Member | None:
    """One of our members the network can see (the sender could only have found such)."""
    member = db.session.scalars(select(Member).where(Member.uuid == member_uuid)).first()
    if member is None or not member.account.is_active or network_payload(member) is None:
        return None
    return member


def receive(node_id: str, incoming: Incoming) -> tuple[ContactReceived, bool]:
    """Keep a relayed message and plan its mail (flushes); the row and whether it is new.
    The same id again from the same village is a retry: nothing more is written."""
    known = db.session.scalars(select(ContactReceived).where(
        ContactReceived.uuid == incoming.id)).first()
    if known is not None:
        if known.from_node != node_id:
            raise ContactRefused("origin_mismatch", "this message id belongs to another village",
                                 403)
        return known, False
    member = _recipient(incoming.to)
    if member is None:
        raise ContactRefused("member_unknown", "no member of this village by that id", 404)
    if is_blocked(member, node_id, incoming.from_member):
        raise ContactRefused("contact_blocked", "the recipient blocked this sender", 403)
    if (_received_since(timedelta(days=1), node_id, incoming.from_member) >= PER_MEMBER_DAY
            or _received_since(timedelta(hours=1), node_id) >= PER_VILLAGE_HOUR):
        raise ContactRefused("rate_limited", "too many messages from this sender", 429)
    listing = db.session.scalars(select(Listing).where(
        Listing.uuid == incoming.about_uuid, Listing.member_id == member.id)).first()
    row = ContactReceived(uuid=incoming.id, recipient=member, from_node=node_id,
                          from_member=incoming.from_member, from_name=incoming.from_name,
                          about_uuid=listing.uuid if listing else "",
                          about_title=listing.title if listing else "", body=incoming.text)
    db.session.add(row)
    db.session.flush()
    notices.plan(MESSAGE, f"contact:{row.id}", [member.account])
    return row, True


def find_received(message_uuid: str) -> ContactReceived | None:
    return db.session.scalars(select(ContactReceived).where(
        ContactReceived.uuid == message_uuid)).first()


def answer(received: ContactReceived, text: str) -> bool:
    """The recipient's answer (once): it travels back with their name and address."""
    text = text.strip()
    if received.answered_at is not None or not text or len(text) > MAX_TEXT:
        return False
    received.answer, received.answered_at = text, utcnow()
    db.session.flush()
    member = received.recipient
    plan(received.from_node, REPLY, f"reply:{received.uuid}", {
        "id": received.uuid, "text": text,
        "from": {"name": member.display_name, "email": member.account.email}})
    return True


def receive_reply(node_id: str, message_uuid: str, text: str, email: str) -> ContactSent:
    """The answer to one of our members' messages, from the village it was sent to
    (flushes; the same answer twice changes nothing)."""
    sent = db.session.scalars(select(ContactSent).where(
        ContactSent.uuid == message_uuid, ContactSent.to_node == node_id)).first()
    if sent is None:
        raise ContactRefused("contact_unknown", "no message of ours to this village by that id",
                             404)
    if sent.answered_at is None:
        sent.answer, sent.answer_email, sent.answered_at = text, email, utcnow()
        db.session.flush()
        notices.plan(REPLY, f"contact:{sent.id}", [sent.sender.account])
    return sent


def block(received: ContactReceived) -> None:
    """The recipient hears nothing more from this sender (their village is told nothing)."""
    if not sender_blocked(received):
        db.session.add(ContactBlock(member_id=received.recipient_id,
                                    from_node=received.from_node,
                                    from_member=received.from_member,
                                    from_name=received.from_name))
        db.session.flush()


def unblock(member: Member, block_id: int) -> bool:
    row = db.session.get(ContactBlock, block_id)
    if row is None or row.member_id != member.id:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def report(received: ContactReceived) -> int:
    """Show the message to the node's staff (once); how many staff mails were planned."""
    if received.reported_at is None:
        received.reported_at = utcnow()
        db.session.flush()
    staff = db.session.scalars(select(Account).where(
        Account.status == AccountStatus.ACTIVE.value,
        Account.role.in_([Role.ADMIN.value, Role.ANIMATOR.value])))
    return notices.plan("contact_report", f"contact:{received.id}", list(staff))


def reported() -> list[ContactReceived]:
    """For the staff: the messages members reported, newest first."""
    return list(db.session.scalars(select(ContactReceived).where(
        ContactReceived.reported_at.is_not(None)).order_by(ContactReceived.reported_at.desc())))


def mailbox(member: Member) -> tuple[list[ContactReceived], list[ContactSent], list[ContactBlock]]:
    """A member's messages with other villages: received, sent, and the senders blocked."""
    received = db.session.scalars(select(ContactReceived).where(
        ContactReceived.recipient_id == member.id).order_by(ContactReceived.received_at.desc()))
    sent = db.session.scalars(select(ContactSent).where(
        ContactSent.sender_id == member.id).order_by(ContactSent.created_at.desc()))
    blocks = db.session.scalars(select(ContactBlock).where(
        ContactBlock.member_id == member.id, ContactBlock.from_node != EVERYONE)
        .order_by(ContactBlock.created_at.desc()))
    return list(received), list(sent), list(blocks)


class Delivery(StrEnum):
    """Where one of our messages stands, as its sender may see it. A block and a refusal of
    every message read the same (« non remis »): the recipient's choice stays theirs."""

    ON_ITS_WAY = "on_its_way"  # planned or being retried
    DELIVERED = "delivered"  # the recipient's village accepted it and mailed its member
    GONE = "gone"  # the recipient no longer shares with the network (or left)
    NOT_DELIVERED = "not_delivered"  # refused for any other reason, blocks included


def delivery(sent: ContactSent) -> Delivery:
    """Read from the notice's delivery row (docs/federation.md § 10)."""
    row = db.session.scalars(select(VillageMessage).where(
        VillageMessage.node_id == sent.to_node, VillageMessage.kind == MESSAGE,
        VillageMessage.topic == f"contact:{sent.uuid}")).first()
    if sent.answered_at is not None or row is None or row.state == "delivered":
        return Delivery.DELIVERED  # no row left: delivered rows may be cleaned away
    if row.state != "failed":
        return Delivery.ON_ITS_WAY
    return Delivery.GONE if row.last_error == "member_unknown" else Delivery.NOT_DELIVERED


def export(member: Member) -> dict[str, list[dict[str, Any]]]:
    """A member's messages with other villages, for their personal-data export."""
    received, sent, blocks = mailbox(member)

    def stamp(moment: Any) -> str | None:
        return moment.isoformat() if moment is not None else None
    return {
        "sent": [{"id": row.uuid, "to_village": row.to_node, "to_name": row.to_name,
                  "about": row.about_title, "body": row.body, "sent_at": stamp(row.created_at),
                  "answer": row.answer, "answer_email": row.answer_email,
                  "answered_at": stamp(row.answered_at)} for row in sent],
        "received": [{"id": row.uuid, "from_village": row.from_node,
                      "from_name": row.from_name, "about": row.about_title, "body": row.body,
                      "received_at": stamp(row.received_at), "answer": row.answer,
                      "answered_at": stamp(row.answered_at),
                      "reported_at": stamp(row.reported_at)} for row in received],
        "blocked": [{"village": row.from_node, "name": row.from_name} for row in blocks],
    }
