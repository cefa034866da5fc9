"""The village's public agenda outside its own pages: RSS and Atom feeds, and the agenda a
mairie embeds in its website (an ``<iframe>`` page, or an HTML fragment).

Only what an anonymous visitor sees leaves here: the occurrences come from
:func:`node.services.events.upcoming_events` for :meth:`Viewer.anonymous`, so a rencontre for
members or for the network never appears.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node.models import utcnow
from node.public import bp
from node.services import events
from node.services.community import commune_name, current_community
from node.services.events import Occurrence
from node.services.visibility import Viewer
from webui import syndication
from webui.syndication import AgendaItem, EmbedOptions, OptionError


def agenda_item(occurrence: Occurrence) -> AgendaItem:
    """One public occurrence as the outside world sees it."""
    event = occurrence.event
    venue = event.venue
    place = ", ".join(part for part in (
        venue.name if venue else "", commune_name(venue.commune_code) if venue else "") if part)
    return AgendaItem(
        uid=f"{event.uuid}@{occurrence.stamp}", title=event.title,
        url=events.public_link("public.event", event_uuid=event.uuid, quand=occurrence.stamp),
        starts_at=occurrence.starts_at, ends_at=occurrence.ends_at, when=occurrence.when,
        place=place, description=event.description, cancelled=event.cancelled,
        updated=event.updated_at)


def public_items(options: EmbedOptions) -> list[AgendaItem]:
    """The next public occurrences within the chosen period, at most the chosen number."""
    until = utcnow() + timedelta(days=options.days)
    found = events.upcoming_events(Viewer.anonymous(), options.count)
    return [agenda_item(item) for item in found if item.starts_at < until]


def _options() -> EmbedOptions:
    try:
        return syndication.embed_options(request.args)
    except OptionError as error:
        abort(400, description=str(error))


def _title() -> str:
    community = current_community()
    return str(_("Rencontres — %(name)s", name=community.name if community else "Chaleur"))


def feed_links() -> dict[str, str]:
    """The village's feeds, as a reader names them."""
    return {"RSS": url_for("public.events_rss", _external=True),
            "Atom": url_for("public.events_atom", _external=True),
            "iCalendar": url_for("public.events_ics", _external=True)}


@bp.app_context_processor
def follow_handle() -> dict[str, object]:
    """``fediverse_handle()`` in templates: « @sparsbach@host », to follow the village from
    Mastodon, Mobilizon or Gancio (None before the node has an identity)."""

    def fediverse_handle() -> str | None:
        from node.extensions import db
        from node.fediverse.site import build_actor

        actor = build_actor(db.session())
        return f"@{actor.handle}" if actor else None

    return {"fediverse_handle": fediverse_handle}


@bp.get("/rencontres.rss")
def events_rss() -> ResponseReturnValue:
    body = syndication.rss_feed(
        _title(), url_for("public.events", _external=True), request.url,
        _("Les rencontres publiques du village, les prochaines d'abord."), public_items(_options()))
    return syndication.feed_response(body, syndication.RSS_TYPE)


@bp.get("/rencontres.atom")
def events_atom() -> ResponseReturnValue:
    body = syndication.atom_feed(_title(), url_for("public.events", _external=True),
                                 request.url, public_items(_options()))
    return syndication.feed_response(body, syndication.ATOM_TYPE)


@bp.get("/agenda/integrer", endpoint="agenda_embed")
@bp.get("/agenda/integrer/fragment", endpoint="agenda_fragment")
def agenda_embed() -> ResponseReturnValue:
    options = _options()
    return syndication.embed_response(
        public_items(options), _title(), url_for("public.events", _external=True),
        feed_links(), fragment=request.endpoint == "public.agenda_fragment")
