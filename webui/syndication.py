"""The public agenda outside the site: RSS 2.0 and Atom feeds, and the agenda a mairie embeds.

Both apps list rencontres from their own store (a node its public events, the directory the
network's agenda); each turns them into :class:`AgendaItem` values and hands them here, so
the feeds, the embeddable page and its HTML fragment read the same for a village and for the
Pays. Feeds are written with :mod:`xml.etree.ElementTree`, which escapes every text, so a
title like ``<Café & co>`` cannot break a reader.

The embeddable page is framed by any site (``frame-ancestors *``) but carries no form, no
script and no cookie-dependent content: it can only show what any visitor already sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime as rfc2822
from xml.etree import ElementTree

from flask import Response, render_template
from flask_babel import gettext as _

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
# A framed page: any site may frame it; everything else as strict as the rest of the site.
EMBEDDABLE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; "
    "frame-ancestors *; base-uri 'none'; object-src 'none'"
)
DEFAULT_DAYS = 90
MAX_DAYS = 366
DEFAULT_COUNT = 10
MAX_COUNT = 50


@dataclass(frozen=True)
class AgendaItem:
    """One dated rencontre as the outside world sees it: only public fields."""

    uid: str  # stable across edits (a UUID plus the occurrence's start for a series)
    title: str
    url: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime | None
    when: str  # the date and time as people read it, in the site's language
    place: str  # venue and commune, "" when unknown
    description: str
    cancelled: bool
    updated: datetime  # aware, UTC
    source: str = ""  # the village's name on the Pays's agenda

    @property
    def summary(self) -> str:
        """The line a feed reader shows: when, where, cancelled or not."""
        parts = [self.when] + ([self.place] if self.place else [])
        line = " — ".join(parts)
        return f"{_('Annulée')} : {line}" if self.cancelled else line


@dataclass(frozen=True)
class EmbedOptions:
    """What a mairie chose for its embedded agenda (query string, checked)."""

    days: int = DEFAULT_DAYS
    count: int = DEFAULT_COUNT
    territory: str = ""

    def query(self) -> dict[str, str]:
        """The same options as query parameters, for links between the embed and the feeds."""
        args = {"periode": str(self.days), "nombre": str(self.count)}
        if self.territory:
            args["territoire"] = self.territory
        return args


class OptionError(ValueError):
    """A query parameter of the embed or a feed is out of range; the message is French."""


def _bounded(args: Mapping[str, str], name: str, default: int, top: int, label: str) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        raise OptionError(_("%(label)s : un nombre entier de 1 à %(top)d est attendu.",
                            label=label, top=top))
    return int(raw)


def embed_options(args: Mapping[str, str], territories: Iterable[str] = ()) -> EmbedOptions:
    """Read ``periode`` (days ahead), ``nombre`` (at most how many) and, on the Pays site,
    ``territoire`` (a village's federation id); raise :class:`OptionError` when wrong."""
    days = _bounded(args, "periode", DEFAULT_DAYS, MAX_DAYS, _("Période (jours)"))
    count = _bounded(args, "nombre", DEFAULT_COUNT, MAX_COUNT, _("Nombre de rencontres"))
    territory = args.get("territoire", "").strip()
    if territory and territory not in set(territories):
        raise OptionError(_("Territoire inconnu : %(name)s.", name=territory[:60]))
    return EmbedOptions(days, count, territory)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _atom_stamp(moment: datetime) -> str:
    return _utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text_of(item: AgendaItem) -> str:
    body = item.summary
    if item.source:
        body = f"{body}\n{item.source}"
    if item.description:
        body = f"{body}\n\n{item.description}"
    return body


def rss_feed(title: str, site_url: str, self_url: str, description: str,
             items: list[AgendaItem], language: str = "fr") -> bytes:
    """An RSS 2.0 channel, one ``<item>`` per rencontre, the date and place first."""
    ElementTree.register_namespace("atom", ATOM_NS)
    rss = ElementTree.Element("rss", {"version": "2.0"})
    channel = ElementTree.SubElement(rss, "channel")
    for name, value in (("title", title), ("link", site_url), ("description", description),
                        ("language", language)):
        ElementTree.SubElement(channel, name).text = value
    ElementTree.SubElement(channel, f"{{{ATOM_NS}}}link",
                           {"href": self_url, "rel": "self", "type": RSS_TYPE})
    if items:
        latest = max(item.updated for item in items)
        ElementTree.SubElement(channel, "lastBuildDate").text = rfc2822(_utc(latest))
    for item in items:
        node = ElementTree.SubElement(channel, "item")
        ElementTree.SubElement(node, "title").text = item.title
        ElementTree.SubElement(node, "link").text = item.url
        ElementTree.SubElement(node, "guid", {"isPermaLink": "false"}).text = item.uid
        ElementTree.SubElement(node, "pubDate").text = rfc2822(_utc(item.updated))
        ElementTree.SubElement(node, "description").text = _text_of(item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(ElementTree.tostring(
        rss, encoding="utf-8", xml_declaration=False))


def atom_feed(title: str, site_url: str, self_url: str, items: list[AgendaItem],
              language: str = "fr") -> bytes:
    """An Atom (RFC 4287) feed; the feed's id is its own address, an entry's its uid."""
    ElementTree.register_namespace("", ATOM_NS)

    def sub(parent: ElementTree.Element, name: str, text: str | None = None,
            **attrs: str) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{ATOM_NS}}}{name}", attrs)
        element.text = text
        return element

    feed = ElementTree.Element(f"{{{ATOM_NS}}}feed",
                               {"{http://www.w3.org/XML/1998/namespace}lang": language})
    sub(feed, "title", title)
    sub(feed, "id", self_url)
    sub(feed, "link", href=self_url, rel="self", type=ATOM_TYPE)
    sub(feed, "link", href=site_url, rel="alternate", type="text/html")
    latest = max((item.updated for item in items), default=datetime(2000, 1, 1, tzinfo=UTC))
    sub(feed, "updated", _atom_stamp(latest))
    author = sub(feed, "author")
    sub(author, "name", title)
    for item in items:
        entry = sub(feed, "entry")
        sub(entry, "title", item.title)
        sub(entry, "id", f"urn:chaleur:{item.uid}")
        sub(entry, "link", href=item.url, rel="alternate", type="text/html")
        sub(entry, "updated", _atom_stamp(item.updated))
        sub(entry, "summary", item.summary)
        sub(entry, "content", _text_of(item), type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(ElementTree.tostring(
        feed, encoding="utf-8", xml_declaration=False))


def feed_response(body: bytes, mimetype: str) -> Response:
    """A feed anyone may read, from any site: shared caches may keep it five minutes."""
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def embed_response(items: list[AgendaItem], heading: str, more_url: str,
                   feeds: Mapping[str, str], fragment: bool) -> Response:
    """The agenda to embed: a whole page for an ``<iframe>``, or only its ``<section>`` for a
    site that includes HTML on its own server. Any site may frame the page."""
    html = render_template("webui/agenda_embed.html", items=items, heading=heading,
                           more_url=more_url, feeds=feeds, fragment=fragment)
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMBEDDABLE_POLICY
    response.headers["Cache-Control"] = "public, max-age=300"
    if fragment:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response
