"""What each planned notice says, written when it is sent (from the current state).

A function returns (subject, body), or None when there is nothing to say any more (the
decision was deleted, the action done): the notice is then dropped, not sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from federation.records import parse_utc
from node.extensions import db
from node.models import (
    Account,
    Action,
    Answer,
    Decision,
    Event,
    Listing,
    ListingReply,
    ListingState,
    Mandate,
    Notice,
)
from node.services import calendar, contact_texts
from node.services.decisions import find_decision
from node.services.events import public_link
from node.services.notices import Letter

Text = tuple[str, str] | Letter | None


def _hello(account: Account) -> str:
    name = account.member.display_name if account.member else ""
    return str(_("Bonjour %(name)s,", name=name))


def _decision(notice: Notice) -> Decision | None:
    return find_decision(notice.subject_key.split(":")[0])


def _link(decision: Decision) -> str:
    return public_link("decisions.show", decision_uuid=decision.uuid)


def _closing(decision: Decision) -> str:
    return calendar.describe_moment(decision.closes_at)


def reminder(notice: Notice, account: Account) -> Text:
    decision = _decision(notice)
    if decision is None or decision.state != "open":
        return None
    return (_("À vous de répondre : %(title)s", title=decision.title),
            _("%(hello)s\n\nLa décision « %(title)s » se clôt le %(when)s et vous n'avez pas "
              "encore répondu. Votre avis compte :\n%(link)s\n",
              hello=_hello(account), title=decision.title, when=_closing(decision),
              link=_link(decision)))


def outcome_line(decision: Decision) -> str:
    """One sentence saying how a closed decision ended (mails, register, Pays site)."""
    outcome = decision.outcome or {}
    if decision.state == "withdrawn":
        return str(_("Proposition retirée par son auteur·rice."))
    if decision.kind == "consent":
        return str(_("Proposition adoptée par consentement.") if decision.adopted else
                   _("Proposition non adoptée (objection ouverte ou aucun consentement)."))
    best = [item for item in outcome.get("options", []) if item.get("rank") == 1]
    if not best or not outcome.get("best"):
        return str(_("Aucune réponse : pas de résultat."))
    labels = " ; ".join(str(item["label"]) for item in best)
    return str(_("En tête : %(labels)s (%(n)s participant·e·s).", labels=labels,
                 n=outcome.get("participants", 0)))


def result(notice: Notice, account: Account) -> Text:
    decision = _decision(notice)
    if decision is None or decision.state == "open":
        return None
    return (_("Résultat : %(title)s", title=decision.title),
            _("%(hello)s\n\nLa décision « %(title)s » est close.\n%(outcome)s\n\nLe détail :\n"
              "%(link)s\n", hello=_hello(account), title=decision.title,
              outcome=outcome_line(decision), link=_link(decision)))


def dates_rencontre(notice: Notice, account: Account) -> Text:
    decision = _decision(notice)
    event_uuid = str(notice.data.get("event_uuid", ""))
    event = db.session.scalars(select(Event).where(Event.uuid == event_uuid)).first()
    if decision is None or event is None or event.cancelled:
        return None
    when = calendar.describe_when(event.starts_at, event.ends_at)
    return (_("Date retenue : %(title)s", title=event.title),
            _("%(hello)s\n\nMerci d'avoir répondu au sondage « %(title)s ». La date retenue "
              "est le %(when)s. Dites si vous venez :\n%(link)s\n", hello=_hello(account),
              title=decision.title, when=when,
              link=public_link("public.event", event_uuid=event.uuid)))


def action_reminder(notice: Notice, account: Account) -> Text:
    action = db.session.get(Action, int(notice.subject_key.split(":")[1]))
    if action is None or action.done_at is not None or action.due_on is None:
        return None
    return (_("Action à faire : %(title)s", title=action.title),
            _("%(hello)s\n\nVous vous êtes chargé·e de : « %(title)s », pour le %(day)s.\n"
              "Quand c'est fait, cochez-la sur le tableau des actions :\n%(link)s\n",
              hello=_hello(account), title=action.title,
              day=format_date(action.due_on, "EEEE d MMMM y"),
              link=public_link("decisions.actions")))


def mandate_ending(notice: Notice, account: Account) -> Text:
    mandate = db.session.get(Mandate, int(notice.subject_key.split(":")[1]))
    if mandate is None or mandate.ended_early_on is not None:
        return None
    holder = mandate.member.display_name if mandate.member else _("(personne partie)")
    return (_("Fin de mandat : %(role)s", role=mandate.role),
            _("%(hello)s\n\nLe mandat « %(role)s » de %(holder)s se termine le %(day)s. Pensez "
              "à proposer son renouvellement ou une autre personne, par consentement :\n"
              "%(link)s\n", hello=_hello(account), role=mandate.role, holder=holder,
              day=format_date(mandate.ends_on, "EEEE d MMMM y"),
              link=public_link("decisions.governance")))


def listing_expiring(notice: Notice, account: Account) -> Text:
    """The one-click renewal mail; nothing once the listing is gone, fulfilled or renewed."""
    from node.services.listings import renew_token

    listing = db.session.get(Listing, int(notice.subject_key.split(":")[1]))
    if (listing is None or listing.state != ListingState.ACTIVE
            or f"{listing.expires_at:%Y%m%d}" != notice.subject_key.split(":")[2]):
        return None
    return (_("Votre annonce « %(title)s » arrive à échéance", title=listing.title),
            _("%(hello)s\n\nVotre annonce « %(title)s » ne sera plus en ligne après le "
              "%(day)s.\n\nToujours d'actualité ? Prolongez-la de 60 jours d'un clic :\n"
              "%(renew)s\n\nC'est pourvu, ou vous voulez la modifier ? Vos annonces :\n"
              "%(mine)s\n", hello=_hello(account), title=listing.title,
              day=format_date(calendar.to_local(listing.expires_at).date(), "EEEE d MMMM y"),
              renew=public_link("exchange.renew_listing", token=renew_token(listing)),
              mine=public_link("members.listings")))


def _unsubscribe(account: Account, kind: str) -> tuple[str, dict[str, str]]:
    """The one-click unsubscribe link and its headers (RFC 2369 and RFC 8058)."""
    from node.services.alerts import unsubscribe_token

    link = public_link("exchange.unsubscribe", token=unsubscribe_token(account, kind))
    return link, {"List-Unsubscribe": f"<{link}>",
                  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _match_lines(matches: list[dict[str, Any]]) -> list[str]:
    from node.services.matching import describe_reason

    return [_("- %(title)s (%(village)s), score %(score)s : %(reasons)s",
              title=item["title"], village=item["village"] or _("ce village"),
              score=item["score"], reasons=" · ".join(
                  describe_reason(kind, value) for kind, value in item["reasons"]))
            for item in matches]


def match_alert(notice: Notice, account: Account) -> Text:
    """New answers to one of my needs, told once; nothing once the need is closed."""
    listing = db.session.get(Listing, int(notice.data.get("listing", 0)))
    if listing is None or listing.state != ListingState.ACTIVE:
        return None
    link, headers = _unsubscribe(account, "match")
    lines = _match_lines(notice.data.get("matches", []))
    return Letter(
        _("Quelqu'un répond à votre annonce « %(title)s »", title=listing.title),
        _("%(hello)s\n\nDu nouveau pour « %(title)s » :\n%(lines)s\n\nToutes les "
          "correspondances et leurs raisons :\n%(page)s\n\nNe plus recevoir ces alertes : "
          "%(stop)s\n", hello=_hello(account), title=listing.title, lines="\n".join(lines),
          page=public_link("members.listing_matches", listing_uuid=listing.uuid), stop=link),
        headers=headers)


def weekly_roundup(notice: Notice, account: Account) -> Text:
    """« Cette semaine dans le réseau », plain text and HTML."""
    link, headers = _unsubscribe(account, "weekly")
    listings, events = notice.data.get("listings", []), notice.data.get("events", [])
    asked = notice.data.get("questions", [])
    if not listings and not events and not asked:
        return None
    when = [{**event, "day": format_date(calendar.to_local(parse_utc(event["when"])).date(),
                                         "EEEE d MMMM")} for event in events]
    lines = _match_lines(listings)
    rencontres = [_("- %(day)s : %(title)s (%(village)s)", day=event["day"],
                    title=event["title"], village=event["village"] or _("ce village"))
                  for event in when]
    body = "\n".join([
        _hello(account), "",
        *([_("Des offres et des besoins qui répondent à votre métier :"), *lines, ""]
          if lines else []),
        *([_("Les prochaines rencontres près de chez vous :"), *rencontres, ""]
          if rencontres else []),
        *([_("Des questions auxquelles vous pourriez répondre :"),
           *[f"- {q['title']} : {q['link']}" for q in asked], ""] if asked else []),
        _("Vos annonces : %(link)s", link=public_link("members.listings")),
        _("Ne plus recevoir ce résumé : %(link)s", link=link)])
    html = render_template("node/mail/weekly.html", hello=_hello(account), lines=lines,
                           events=when, questions=asked, stop=link,
                           mine=public_link("members.listings"))
    return Letter(_("Cette semaine dans le réseau"), body + "\n", html, headers)


def answer_report(notice: Notice, account: Account) -> Text:
    """To the staff: a member finds an answer out of place."""
    found = db.session.get(Answer, int(notice.data.get("answer", 0)))
    if found is None or found.hidden:
        return None
    question = found.question
    return (_("Réponse signalée : %(title)s", title=question.title),
            _("%(hello)s\n\nUn membre signale une réponse à la question « %(title)s ». Vous "
              "pouvez la lire et, s'il le faut, la masquer :\n%(link)s\n",
              hello=_hello(account), title=question.title,
              link=public_link("exchange.question", question_uuid=question.uuid)))


def question_answered(notice: Notice, account: Account) -> Text:
    """To the asker: someone answered, here or in another village (not if it was hidden
    meanwhile)."""
    found = db.session.get(Answer, int(notice.data.get("answer", 0)))
    if found is None or found.hidden:
        return None
    question = found.question
    return (_("Nouvelle réponse à votre question « %(title)s »", title=question.title),
            _("%(hello)s\n\n%(name)s répond à votre question « %(title)s » :\n\n%(body)s\n\n"
              "Pour lire les réponses et dire lesquelles vous ont aidé :\n%(link)s\n",
              hello=_hello(account), name=found.author_label, title=question.title,
              body=found.body,
              link=public_link("exchange.question", question_uuid=question.uuid)))


def _reply(notice: Notice) -> ListingReply | None:
    return db.session.get(ListingReply, int(notice.subject_key.split(":")[1]))


def listing_reply(notice: Notice, account: Account) -> Text:
    """To a listing's author: a message through the site (no address in it)."""
    found = _reply(notice)
    if found is None:
        return None
    return (_("%(name)s répond à votre annonce « %(title)s »",
              name=found.sender.display_name, title=found.listing.title),
            _("%(hello)s\n\n%(name)s vous écrit à propos de « %(title)s » :\n\n%(body)s\n\n"
              "Pour répondre (vos adresses restent cachées jusqu'à votre réponse) :\n"
              "%(link)s\n", hello=_hello(account), name=found.sender.display_name,
              title=found.listing.title, body=found.body,
              link=public_link("exchange.message", reply_uuid=found.uuid)))


def listing_reply_answer(notice: Notice, account: Account) -> Text:
    """To the sender: the author's answer, with the author's address (they chose to)."""
    found = _reply(notice)
    if found is None or found.answered_at is None:
        return None
    author = found.listing.member
    return Letter(
        _("%(name)s vous répond : « %(title)s »", name=author.display_name,
          title=found.listing.title),
        _("%(hello)s\n\n%(name)s vous répond à propos de « %(title)s » :\n\n%(body)s\n\n"
          "Son adresse : %(email)s (répondez simplement à ce courriel).\n",
          hello=_hello(account), name=author.display_name, title=found.listing.title,
          body=found.answer, email=author.account.email),
        headers={"Reply-To": author.account.email})


RENDERERS: dict[str, Callable[[Notice, Account], Text]] = {
    "decision_reminder": reminder,
    "decision_result": result,
    "dates_rencontre": dates_rencontre,
    "action_reminder": action_reminder,
    "mandate_ending": mandate_ending,
    "listing_expiring": listing_expiring,
    "match_alert": match_alert,
    "weekly_roundup": weekly_roundup,
    "answer_report": answer_report,
    "question_answered": question_answered,
    "listing_reply": listing_reply,
    "listing_reply_answer": listing_reply_answer,
    **contact_texts.RENDERERS,
}
