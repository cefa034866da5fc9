"""Talking to the Pays directory: joining it, and announcing a key rotation to it.

Every call goes through :func:`federation_client` (one signed client, its timeouts and
address policy). The directory's key is learnt once, at join time, from its node
document, and only after the operator's fingerprint (read out by the Pays coordinator)
matches; afterwards it comes from the ``peer_key`` table only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app

from federation.client import PeerError, PeerRefused, PeerResponseInvalid, SignedClient
from federation.errors import FederationRefusal
from federation.keys import KeyRecord, KeyStatus, SigningKey, fingerprint
from federation.nodedoc import WELL_KNOWN_PATH, document_keys, validate_node_document
from federation.records import parse_utc
from federation.urlpolicy import AddressRefused
from federation.verification import KeyResolver, utc_now, verify_signed_response
from node.extensions import db
from node.models import Admission, Peer, PeerKey, PeerRole, utcnow
from node.peering.identity import node_document, signing_key
from node.peering.membership import registered_directory
from node.peering.trust import resolve_peer_key


class DirectoryError(RuntimeError):
    """A directory operation failed; the message (French) tells the operator what to do."""


@contextmanager
def federation_client(key: SigningKey | None = None) -> Iterator[SignedClient]:
    """The signed client every outgoing call of this node uses."""
    client = SignedClient(key or signing_key(),
                          allow_private_addresses=bool(current_app.config[
                              "FEDERATION_ALLOW_PRIVATE"]))
    try:
        yield client
    finally:
        client.close()


def directory_keys(peer: Peer) -> KeyResolver:
    """Resolver over the stored keys of this directory only (to verify its answers)."""
    def resolve(keyid: str) -> KeyRecord | None:
        record = resolve_peer_key(keyid)
        return record if record is not None and record.node_id == peer.node_id else None
    return resolve


def normalise_fingerprint(text: str) -> str:
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def _fetch_document(client: SignedClient, base_url: str,
                    expected_fingerprint: str) -> tuple[dict[str, Any], KeyRecord]:
    url = base_url + WELL_KNOWN_PATH
    response = client.get(url)
    try:
        document = validate_node_document(response.data)
    except FederationRefusal as exc:
        raise DirectoryError(f"le document de l'annuaire est invalide ({exc.message}).") from exc
    if document["role"] != "directory" or document["base_url"] != base_url:
        raise DirectoryError(f"{base_url} ne se présente pas comme l'annuaire de cette adresse "
                             f"(rôle {document['role']}, adresse {document['base_url']}).")
    wanted = normalise_fingerprint(expected_fingerprint)
    matching = [key for key in document_keys(document, KeyStatus.ACTIVE)
                if fingerprint(key.public_key) == wanted]
    if not matching:
        shown = ", ".join(fingerprint(k.public_key) for k in document_keys(document,
                                                                           KeyStatus.ACTIVE))
        raise DirectoryError(
            f"empreinte différente : l'annuaire présente {shown}, vous attendiez {wanted}. "
            "Ne poursuivez pas : vérifiez l'adresse et l'empreinte avec le coordinateur du Pays. "
            "Rien n'a été enregistré.")
    key = matching[0]
    try:
        verify_signed_response(response.status, response.headers.items(), response.body,
                               request_method="GET", request_url=url,
                               request_headers=response.request_headers,
                               resolve_key=lambda keyid: key if keyid == key.keyid else None,
                               now=utc_now())
    except FederationRefusal as exc:
        raise DirectoryError("la réponse de l'annuaire n'est pas signée par la clé attendue "
                             f"({exc.code}). Rien n'a été enregistré.") from exc
    return document, key


def _store_directory(document: dict[str, Any], expected: str) -> Peer:
    peer = registered_directory()
    if peer is not None and peer.node_id != document["node_id"]:
        raise DirectoryError(f"ce nœud appartient déjà à l'annuaire « {peer.node_id} » "
                             f"({peer.base_url}). Rien n'a été modifié.")
    peer = peer or Peer(node_id=document["node_id"], role=PeerRole.DIRECTORY)
    peer.base_url, peer.document = document["base_url"], document
    peer.fingerprint, peer.status = normalise_fingerprint(expected), "active"
    db.session.add(peer)
    for key in document["keys"]:
        row = db.session.get(PeerKey, key["keyid"]) or PeerKey(keyid=key["keyid"])
        row.node_id, row.public_key, row.status = document["node_id"], key["public_key"], key[
            "status"]
        row.grace_until = parse_utc(key["grace_until"]) if key.get("grace_until") else None
        db.session.add(row)
    return peer


@dataclass(frozen=True)
class JoinResult:
    directory_id: str
    directory_fingerprint: str
    status: int
    answer: dict[str, Any] | None


def join_directory(directory_url: str, expected_fingerprint: str) -> JoinResult:
    """Fetch and check the directory's document, send our signed join, then store it.

    Nothing is stored unless the fingerprint matches AND the directory accepted the join."""
    base_url = directory_url.strip().rstrip("/").lower()
    with federation_client() as client:
        try:
            document, key = _fetch_document(client, base_url, expected_fingerprint)
            join_url = base_url + document["endpoints"]["join"]
            response = client.post(join_url, node_document(),
                                   verify_with=lambda keyid: {k.keyid: k for k in document_keys(
                                       document, KeyStatus.ACTIVE)}.get(keyid))
        except PeerRefused as exc:
            raise DirectoryError(_refusal_text(exc)) from exc
        except PeerResponseInvalid as exc:
            raise DirectoryError(f"réponse de l'annuaire inutilisable ({exc.code}). "
                                 "Rien n'a été enregistré.") from exc
        except (PeerError, AddressRefused) as exc:
            raise DirectoryError(f"annuaire injoignable à {base_url} ({_code(exc)}). Vérifiez "
                                 "l'adresse et votre connexion, puis réessayez.") from exc
    peer = _store_directory(document, expected_fingerprint)
    peer.admission, peer.admission_seen_at, peer.last_error = Admission.REQUESTED, utcnow(), ""
    db.session.commit()
    return JoinResult(peer.node_id, fingerprint(key.public_key), response.status, response.data)


def _code(exc: Exception) -> str:
    return str(getattr(exc, "code", type(exc).__name__))


def _refusal_text(exc: PeerRefused) -> str:
    if exc.status == 409:
        return ("l'annuaire connaît déjà un nœud sous ce nom ou cet identifiant "
                f"({exc.message}). Choisissez un autre identifiant (chaleur init --node-id) "
                "ou contactez le coordinateur du Pays. Rien n'a été enregistré.")
    return (f"l'annuaire a refusé la demande (HTTP {exc.status}, {exc.code} : {exc.message}). "
            "Rien n'a été enregistré.")


def announce_document(previous: SigningKey) -> int:
    """Send our updated node document to the directory, signed with `previous` (the key it
    already trusts). Returns the HTTP status; raises DirectoryError when not delivered."""
    peer = registered_directory()
    if peer is None:
        raise DirectoryError("aucun annuaire enregistré : rien à annoncer.")
    with federation_client(previous) as client:
        try:
            response = client.post(peer.endpoint("join"), node_document(),
                                   verify_with=directory_keys(peer))
        except PeerRefused as exc:
            raise DirectoryError(_refusal_text(exc)) from exc
        except (PeerError, AddressRefused) as exc:
            raise DirectoryError(f"annonce non remise ({_code(exc)}).") from exc
    return response.status
