"""The Pays's agenda outside its own pages: RSS and Atom feeds, and the agenda a mairie
embeds (the whole Pays or one village, ``?territoire=<id>``).

They list exactly what the public « Agenda » page lists, through the same service.
"""

from __future__ import annotations

from flask import abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from directory.services import agenda
from directory.services.network import shown_peers
from directory.site import bp
from webui import syndication
from webui.syndication import AgendaItem, EmbedOptions, OptionError


def _options() -> EmbedOptions:
    try:
        return syndication.embed_options(request.args, (p.node_id for p in shown_peers()))
    except OptionError as error:
        abort(400, description=str(error))


def items(options: EmbedOptions) -> list[AgendaItem]:
    found = agenda.coming_cards(options.territory, options.days, options.count)
    return [AgendaItem(
        uid=f"{card['territory']}/{card['id']}/{card['starts_at']:%Y%m%dT%H%M%SZ}",
        title=card["title"], url=card["url"] or card["village_url"] or "",
        starts_at=card["starts_at"], ends_at=card["ends_at"], when=card["when"],
        place=", ".join(p for p in (card["venue_name"], card["commune"]) if p),
        description=card["description"], cancelled=card["cancelled"], updated=updated,
        source=card["territory_name"]) for card, updated in found]


def _title(options: EmbedOptions) -> str:
    if options.territory:
        peer = next((p for p in shown_peers() if p.node_id == options.territory), None)
        if peer is not None:
            return str(_("Rencontres — %(name)s", name=peer.label))
    return str(_("Rencontres — %(name)s", name=current_app.config["SITE_NAME"]))


def feed_links(options: EmbedOptions) -> dict[str, str]:
    args = {"territoire": options.territory} if options.territory else {}
    return {"RSS": url_for("site.events_rss", _external=True, **args),
            "Atom": url_for("site.events_atom", _external=True, **args),
            "iCalendar": url_for("site.events_ics", _external=True)}


@bp.get("/agenda.rss")
def events_rss() -> ResponseReturnValue:
    options = _options()
    body = syndication.rss_feed(
        _title(options), url_for("site.events", _external=True), request.url,
        _("Les rencontres des villages du Pays, les prochaines d'abord."), items(options))
    return syndication.feed_response(body, syndication.RSS_TYPE)


@bp.get("/agenda.atom")
def events_atom() -> ResponseReturnValue:
    options = _options()
    body = syndication.atom_feed(_title(options), url_for("site.events", _external=True),
                                 request.url, items(options))
    return syndication.feed_response(body, syndication.ATOM_TYPE)


@bp.get("/agenda/integrer", endpoint="agenda_embed")
@bp.get("/agenda/integrer/fragment", endpoint="agenda_fragment")
def agenda_embed() -> ResponseReturnValue:
    options = _options()
    more = url_for("site.events", _external=True,
                   **({"territory": options.territory} if options.territory else {}))
    return syndication.embed_response(
        items(options), _title(options), more, feed_links(options),
        fragment=request.endpoint == "site.agenda_fragment")
