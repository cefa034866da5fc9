"""The fediverse edge both apps share: routes, and what each app must provide.

A village node and the Pays directory are each one ActivityPub ``Group``. The routes are
the same for both (WebFinger, NodeInfo, actor, inbox, outbox, followers, Event objects);
what differs — the actor's name and key, which rencontres are public — comes from the
app's :class:`FediverseSite`, registered with :func:`init_fediverse` in ``create_app``.

The views live in :mod:`webui.fediverse_views`, imported by the first request that reaches
one (:class:`webui.lazy_view.LazyView`): a site nobody follows never loads the signing stack.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import Blueprint, Flask
from sqlalchemy.orm import Session

from federation.activitypub.store import Tables
from federation.activitypub.vocabulary import Actor
from webui.lazy_view import LazyView

EXTENSION_KEY = "chaleur_fediverse"
ACTOR_PATH = "/ap/actor"
INBOX_PATH = "/ap/inbox"
OUTBOX_PATH = "/ap/outbox"
FOLLOWERS_PATH = "/ap/followers"
EVENT_PATH = "/ap/events/"


class FediverseSite(Protocol):
    """What an app hands the fediverse edge. Nothing here may return non-public data."""

    tables: Tables

    def session(self) -> Session:
        """The app's database session (the edge flushes; the view commits once)."""
        ...

    def actor(self, with_key: bool = True) -> Actor | None:
        """The Group, or None while the site has no federation identity (then 404)."""
        ...

    def private_key(self) -> Any:
        """The actor's RSA private key (created on first use, mode 0600)."""
        ...

    def event_document(self, uuid: str) -> dict[str, Any] | None:
        """The live public Event object with this uuid, or None."""
        ...

    def event_page(self, object_id: str) -> str | None:
        """The page where people answer this Event (a Join is sent there), or None."""
        ...

    def open_registrations(self) -> bool:
        ...

    def allow_private_addresses(self) -> bool:
        ...

    def wake(self) -> None:
        """New deliveries are committed: let the app's worker send them now."""
        ...


def init_fediverse(app: Flask, site: FediverseSite) -> None:
    """Register the routes and keep ``site`` for the views and the delivery worker."""
    app.extensions[EXTENSION_KEY] = site
    bp = Blueprint("fediverse", __name__)
    views = "webui.fediverse_views."
    for rule, name, methods in (
            ("/.well-known/webfinger", "webfinger", ["GET"]),
            ("/.well-known/nodeinfo", "nodeinfo_links", ["GET"]),
            ("/nodeinfo/2.1", "nodeinfo", ["GET"]),
            (ACTOR_PATH, "actor", ["GET"]),
            (INBOX_PATH, "inbox", ["POST"]),
            (OUTBOX_PATH, "outbox", ["GET"]),
            (FOLLOWERS_PATH, "followers", ["GET"]),
            (EVENT_PATH + "<uuid>", "event", ["GET"])):
        bp.add_url_rule(rule, endpoint=name, methods=methods, view_func=LazyView(views + name))
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)  # remote servers sign; they have no session
