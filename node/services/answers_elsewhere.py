"""Our members' answers to other villages' rencontres, as the host villages tell them.

A member who answers another village's rencontre does it there, signed in with their
village; the host keeps the answer with this village's id and the member's UUID, never an
address, and tells us every change of it (``rsvp_state`` notices, docs/federation.md
§ 8.5). We keep the latest state of each (for « Mes rencontres » and the personal calendar
feed) and mail the member, in French, when the news calls for a mail: the same mails a
member of the host village would have received (confirmation, waitlist, promotion,
reminder, move, cancellation). Mail leaves after the caller's commit (:func:`tell_member`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.models import AnswerElsewhere, Member, utcnow
from node.services import calendar
from node.services.members import FreedPlace

#: News the member is mailed about; « attendance » and « updated » only change the record.
MAILED = ("going", "maybe", "not_going", "waitlisted", "promoted", "reminder", "moved",
          "cancelled", "removed")
NEWS = (*MAILED, "attendance", "updated")
STATUSES = ("going", "maybe", "not_going", "waitlisted", "cancelled", "removed")
#: Answers shown (and in the calendar feed) this long after their date.
SHOWN_PAST = timedelta(days=30)
#: The notice asking a host to forget the answer of a member who left this node.
WITHDRAWN = "rsvp_withdrawn"
HOLDING = ("going", "maybe", "waitlisted")


class AnswerOutdated(LookupError):
    """A newer state of this answer is already stored (a late retry): nothing changes."""


class AnswerNotTheirs(LookupError):
    """The host's answer id is already stored for another of our members."""


@dataclass(frozen=True)
class AnswerState:
    """One ``rsvp_state`` notice, checked (see :mod:`node.peering.rsvp_notices`)."""

    answer: str
    sequence: int
    news: str
    status: str
    position: int | None
    attended: bool | None
    event_uuid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    url: str


def record(member: Member, village: str, village_name: str,
           state: AnswerState) -> AnswerElsewhere:
    """Keep the newest state of one answer (flushes); :class:`AnswerOutdated` for an older
    one, :class:`AnswerNotTheirs` when the answer is another member's."""
    row = db.session.scalars(select(AnswerElsewhere).where(
        AnswerElsewhere.village == village, AnswerElsewhere.answer == state.answer)).first()
    if row is not None and row.member_id != member.id:
        raise AnswerNotTheirs(state.answer)
    if row is not None and state.sequence <= row.sequence:
        raise AnswerOutdated(state.answer)
    if row is None:
        row = AnswerElsewhere(member_id=member.id, village=village, answer=state.answer)
        db.session.add(row)
    row.village_name = village_name[:160]
    row.sequence, row.status, row.position = state.sequence, state.status, state.position
    row.attended, row.event_uuid, row.title = state.attended, state.event_uuid, state.title
    row.starts_at, row.ends_at = state.starts_at, state.ends_at
    row.place, row.url, row.updated_at = state.place, state.url, utcnow()
    db.session.flush()
    return row


def of_member(member: Member, now: datetime | None = None) -> list[AnswerElsewhere]:
    """The member's answers elsewhere not older than :data:`SHOWN_PAST`, soonest first."""
    since = (now or utcnow()) - SHOWN_PAST
    return list(db.session.scalars(select(AnswerElsewhere).where(
        AnswerElsewhere.member_id == member.id, AnswerElsewhere.starts_at >= since)
        .order_by(AnswerElsewhere.starts_at, AnswerElsewhere.id)))


def _news_line(news: str, position: int | None) -> str:
    lines = {
        "going": _("Votre inscription est confirmée."),
        "maybe": _("Nous avons noté que vous viendrez peut-être."),
        "not_going": _("Nous avons noté que vous ne viendrez pas."),
        "waitlisted": _("La rencontre est complète : vous êtes n° %(position)s sur la liste "
                        "d'attente. Nous vous écrirons si une place se libère.",
                        position=position or 1),
        "promoted": _("Bonne nouvelle : une place s'est libérée. Vous êtes maintenant "
                      "inscrit·e."),
        "reminder": _("Petit rappel : vous êtes inscrit·e à cette rencontre."),
        "moved": _("La rencontre a changé d'horaire ou de lieu. Votre réponse est gardée pour "
                   "la date ci-dessous."),
        "cancelled": _("La rencontre est annulée. Nous sommes désolés du contretemps."),
        "removed": _("Les organisateurs ont retiré votre réponse à cette rencontre."),
    }
    return str(lines[news])


def _subject(news: str, title: str) -> str:
    subjects = {
        "promoted": _("Une place s'est libérée : %(title)s", title=title),
        "reminder": _("Rappel : %(title)s", title=title),
        "moved": _("Rencontre modifiée : %(title)s", title=title),
        "cancelled": _("Rencontre annulée : %(title)s", title=title),
        "removed": _("Réponse retirée : %(title)s", title=title),
    }
    return str(subjects.get(news, _("Votre réponse : %(title)s", title=title)))


def letter(row: AnswerElsewhere, news: str, mine_url: str) -> tuple[str, str]:
    """The French mail for one piece of news: subject and body."""
    when = calendar.describe_when(row.starts_at, row.ends_at)
    body = _("Bonjour %(name)s,\n\n%(news)s\n\n« %(title)s » — %(village)s\n%(when)s\n",
             name=row.member.display_name, news=_news_line(news, row.position),
             title=row.title, village=row.village_name, when=when)
    if row.place:
        body += row.place + "\n"
    body += _("\nPour changer votre réponse, ouvrez la rencontre et connectez-vous avec "
              "votre village :\n%(link)s\n\nToutes vos rencontres :\n%(mine)s\n",
              link=row.url, mine=mine_url)
    return _subject(news, row.title), body


def tell_member(row: AnswerElsewhere, news: str) -> bool:
    """Once the caller has committed: mail the member when the news calls for it (through
    the mail queue, so the host's request does not wait for SMTP). False: no mail."""
    account = row.member.account
    if news not in MAILED or account is None or not account.is_active:
        return False
    from node.services.events import public_link
    from node.services.mail_queue import send_mail_later

    with force_locale("fr"):  # the host's request tells nothing of the member's language
        subject, body = letter(row, news, public_link("members.my_rencontres"))
    return send_mail_later(account.email, subject, body)


def withdraw_elsewhere(member: Member, freed: list[FreedPlace]) -> Callable[[], None] | None:
    """The member-deletion hook: each host village where the leaving member still holds a
    place (or waits for one) is asked to forget the answer, so the place goes to its own
    waitlist (``rsvp_withdrawn``, planned in the deletion's transaction). Registered in
    ``create_app`` with :func:`node.services.members.on_member_deleted`."""
    _withdraw(member)
    return None


def withdraw_deactivated(member: Member) -> int:
    """An admin deactivated the member here (not deleted): they can no longer sign in with
    their village, so they could neither come as themselves nor change their answers at
    the hosts; each host is asked to give their places of rencontres still to come to its
    waitlist, as for a departure (``rsvp_withdrawn``), and those answers leave « Mes
    rencontres » (reactivation does not bring them back: the places went to others).
    Flushes; the caller commits. Returns how many answers were withdrawn."""
    rows = _withdraw(member)
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    return len(rows)


def _withdraw(member: Member) -> list[AnswerElsewhere]:
    """Plan one ``rsvp_withdrawn`` per future answer elsewhere that holds or awaits a place."""
    from node.services.villages import plan

    rows = list(db.session.scalars(select(AnswerElsewhere).where(
        AnswerElsewhere.member_id == member.id, AnswerElsewhere.status.in_(HOLDING),
        AnswerElsewhere.starts_at > utcnow())))
    for row in rows:
        plan(row.village, WITHDRAWN, f"answer:{row.answer}",
             {"answer": row.answer, "member": member.uuid})
    return rows
