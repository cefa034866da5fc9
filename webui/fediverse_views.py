"""The fediverse endpoints of a site (see :mod:`webui.fediverse`), imported on first use.

The inbox follows the usual order: verify once (draft-cavage signature, Date, Digest, the
key's owner is the activity's actor), then one handler per activity type from a table,
then one commit and ``202``. What it answers with (Accept, Ignore) goes through the same
delivery queue as the Events, so a server that is down gets it later.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from federation.activitypub import store, vocabulary
from federation.activitypub.client import ActivityPubClient, FetchFailed
from federation.activitypub.signatures import (
    RemoteKey,
    SignatureRefused,
    SignedBy,
    verify_request,
)
from federation.activitypub.vocabulary import Actor
from webui.errors import error_response
from webui.fediverse import EXTENSION_KEY, FediverseSite

MAX_INBOX_BODY = 256 * 1024
OUTBOX_PAGE = 20
JRD = "application/jrd+json"
NODEINFO = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'


def site() -> FediverseSite:
    found: FediverseSite = current_app.extensions[EXTENSION_KEY]
    return found


def now() -> datetime:
    return datetime.now(UTC)


def _actor_or_404(with_key: bool = True) -> Actor:
    actor = site().actor(with_key)
    if actor is None:
        raise NotFound()
    return actor


def json_answer(data: dict[str, Any], mimetype: str = vocabulary.ACTIVITY_JSON,
                status: int = 200) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, sort_keys=True), status=status,
                        mimetype=mimetype.split(";")[0])
    response.headers["Content-Type"] = mimetype if ";" in mimetype else \
        f"{mimetype}; charset=utf-8"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def new_activity_id(actor: Actor) -> str:
    return f"{actor.id.rsplit('/', 1)[0]}/activities/{uuid_module.uuid4()}"


def client_for(actor: Actor) -> ActivityPubClient:
    current = site()
    return ActivityPubClient(actor.key_id, current.private_key(),
                             allow_private_addresses=current.allow_private_addresses())


# -- discovery --------------------------------------------------------------------------


def webfinger() -> ResponseReturnValue:
    resource = request.args.get("resource", "").strip()
    if not resource:
        return error_response(400, "resource_missing", "Paramètre « resource » manquant.")
    actor = _actor_or_404(with_key=False)
    handle = resource.removeprefix("acct:").lstrip("@").lower()
    if handle != actor.handle.lower() and resource not in (actor.id, actor.profile_url):
        return error_response(404, "not_found", "Aucun compte à ce nom ici.")
    return json_answer(vocabulary.webfinger(actor), JRD)


def nodeinfo_links() -> ResponseReturnValue:
    actor = _actor_or_404(with_key=False)
    parts = urlsplit(actor.id)
    return json_answer(vocabulary.nodeinfo_links(f"{parts.scheme}://{parts.netloc}"),
                       "application/json")


def nodeinfo() -> ResponseReturnValue:
    actor = _actor_or_404(with_key=False)
    current = site()
    try:
        version = metadata.version("chaleur")
    except metadata.PackageNotFoundError:
        version = "0"
    posts = store.live_count(current.session().connection(), current.tables)
    return json_answer(vocabulary.nodeinfo(version, current.open_registrations(), posts,
                                           actor.name), NODEINFO)


# -- documents --------------------------------------------------------------------------


def actor() -> ResponseReturnValue:
    return json_answer(vocabulary.actor_document(_actor_or_404()))


def followers() -> ResponseReturnValue:
    """How many follow, never who: followers are people, not public content."""
    current = site()
    actor = _actor_or_404(with_key=False)
    total = len(store.follower_ids(current.session().connection(), current.tables))
    return json_answer(vocabulary.collection(actor.followers, total, None))


def outbox() -> ResponseReturnValue:
    current = site()
    actor = _actor_or_404(with_key=False)
    connection = current.session().connection()
    if "page" not in request.args:
        total = store.outbox_total(connection, current.tables)
        return json_answer(vocabulary.collection(actor.outbox, total,
                                                 f"{actor.outbox}?page=true"))
    raw = request.args.get("avant", "")
    if raw and not raw.isdigit():
        return error_response(400, "invalid_cursor", "Curseur de page invalide.")
    items, cursor = store.outbox_page(connection, current.tables,
                                      int(raw) if raw else None, OUTBOX_PAGE)
    page_id = f"{actor.outbox}?page=true" + (f"&avant={raw}" if raw else "")
    next_page = f"{actor.outbox}?page=true&avant={cursor}" if cursor is not None else None
    return json_answer(vocabulary.collection_page(page_id, actor.outbox, items, next_page))


def event(uuid: str) -> ResponseReturnValue:
    current = site()
    actor = _actor_or_404(with_key=False)
    document = current.event_document(uuid)
    if document is not None:
        return json_answer(document)
    if store.object_state(current.session().connection(), current.tables, uuid) is False:
        object_id = f"{actor.id.rsplit('/', 1)[0]}/events/{uuid}"
        return json_answer(vocabulary.tombstone(object_id, now()), status=410)
    return error_response(404, "not_found", "Aucune rencontre publique à cette adresse.")


# -- inbox ------------------------------------------------------------------------------

Handler = Callable[[Actor, dict[str, Any], SignedBy, ActivityPubClient], None]


def _object_id(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("id", ""))
    return str(value or "")


def _on_follow(actor: Actor, activity: dict[str, Any], signer: SignedBy,
               client: ActivityPubClient) -> None:
    if _object_id(activity.get("object")) != actor.id:
        return  # a Follow of someone else: not ours to answer
    try:
        follower = client.get_document(signer.owner)
    except FetchFailed as error:
        raise SignatureRefused("actor_unavailable", str(error)) from error
    inbox = follower.get("inbox")
    endpoints = follower.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    if not isinstance(inbox, str) or follower.get("id") != signer.owner:
        raise SignatureRefused("actor_invalid", "the follower's actor has no inbox")
    current, moment = site(), int(now().timestamp())
    connection = current.session().connection()
    store.add_follower(connection, current.tables, signer.owner,
                       shared if isinstance(shared, str) else inbox, moment)
    store.record_activity(connection, current.tables,
                          vocabulary.accept(new_activity_id(actor), actor, activity),
                          public=False, inboxes=[inbox], now=moment)


def _on_undo(actor: Actor, activity: dict[str, Any], signer: SignedBy,
             client: ActivityPubClient) -> None:
    undone = activity.get("object")
    if isinstance(undone, dict) and undone.get("type") not in (None, "Follow"):
        return
    current = site()
    store.remove_follower(current.session().connection(), current.tables, signer.owner)


def _on_delete(actor: Actor, activity: dict[str, Any], signer: SignedBy,
               client: ActivityPubClient) -> None:
    if _object_id(activity.get("object")) == signer.owner:  # an account deleted itself
        current = site()
        store.remove_follower(current.session().connection(), current.tables, signer.owner)


def _on_join(actor: Actor, activity: dict[str, Any], signer: SignedBy,
             client: ActivityPubClient) -> None:
    """Answering happens on the site (guests give a name and an e-mail): Ignore, with the
    link. The inbox of a Joiner is read from its actor document."""
    current = site()
    page = current.event_page(_object_id(activity.get("object"))) or actor.profile_url
    try:
        joiner = client.get_document(signer.owner)
    except FetchFailed:
        return
    inbox = joiner.get("inbox")
    if isinstance(inbox, str):
        store.record_activity(current.session().connection(), current.tables,
                              vocabulary.ignore(new_activity_id(actor), actor, activity, page),
                              public=False, inboxes=[inbox], now=int(now().timestamp()))


HANDLERS: dict[str, Handler] = {
    "Follow": _on_follow,
    "Undo": _on_undo,
    "Delete": _on_delete,
    "Join": _on_join,
}


def _path_and_query() -> str:
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def inbox() -> ResponseReturnValue:
    actor = _actor_or_404()
    if (request.content_length or 0) > MAX_INBOX_BODY:
        return error_response(413, "too_large", "Message trop volumineux.")
    body = request.get_data(cache=False)
    if len(body) > MAX_INBOX_BODY:
        return error_response(413, "too_large", "Message trop volumineux.")
    current = site()
    connection = current.session().connection()
    client = client_for(actor)
    moment = now()

    def fetch(key_id: str, refresh: bool) -> RemoteKey:
        if not refresh:
            cached = store.cached_key(connection, current.tables, key_id)
            if cached is not None:
                return RemoteKey(key_id, cached[0], cached[1])
        key = client.fetch_key(key_id)
        store.store_key(connection, current.tables, key_id, key.owner, key.public_key_pem,
                        int(moment.timestamp()))
        return key

    try:
        signer = verify_request("POST", _path_and_query(), dict(request.headers), body, fetch,
                                moment, host=urlsplit(actor.id).netloc)
        try:
            activity = json.loads(body)
        except ValueError:
            return error_response(400, "invalid_json", "Le corps n'est pas du JSON.")
        if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
            return error_response(400, "invalid_activity", "Activité illisible.")
        if _object_id(activity.get("actor")) != signer.owner:
            return error_response(403, "actor_mismatch",
                                  "La signature n'est pas celle de l'auteur de l'activité.")
        handler = HANDLERS.get(activity["type"])
        if handler is not None:
            handler(actor, activity, signer, client)
    except SignatureRefused as refused:
        current.session().commit()  # keep the keys fetched: the next try is cheaper
        return error_response(401, refused.code, "Signature refusée.")
    finally:
        client.close()
    current.session().commit()
    current.wake()
    return Response(status=202)
