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
from urllib.parse import urlsplit

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
            raise DirectoryError(unreachable_text(exc, base_url)
                                 + " Rien n'a été enregistré.") from exc
    peer = _store_directory(document, expected_fingerprint)
    peer.admission, peer.admission_seen_at, peer.last_error = Admission.REQUESTED, utcnow(), ""
    db.session.commit()
    return JoinResult(peer.node_id, fingerprint(key.public_key), response.status, response.data)


def unreachable_text(exc: Exception, base_url: str) -> str:
    """Why the directory could not be reached, told apart, with what to do (French)."""
    host = urlsplit(base_url).hostname or base_url
    code = _code(exc)
    if code == "address_refused":
        return (f"{host} est une adresse privée ou locale : ce nœud refuse par défaut d'échanger "
                "avec elle. Pour un essai sur une seule machine ou un réseau local, ajoutez "
                "FEDERATION_ALLOW_PRIVATE = true au fichier settings.toml de l'instance (ou "
                "CHALEUR_FEDERATION_ALLOW_PRIVATE=true) ; jamais pour un annuaire sur Internet.")
    if code == "url_unresolvable":
        return (f"le nom « {host} » est introuvable : vérifiez l'orthographe de l'adresse de "
                "l'annuaire avec la coordination du Pays.")
    if code == "url_refused":
        return (f"adresse d'annuaire invalide ({base_url}) : elle doit commencer par https:// "
                "(ou http:// pour un essai local).")
    causes = []
    cause: BaseException | None = exc
    while cause is not None:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    text = " ".join(f"{type(c).__name__} {c}" for c in causes)
    if "Timeout" in text or code == "timeout":
        return (f"l'annuaire ne répond pas à temps à {base_url} : la connexion est peut-être "
                "coupée ou très lente, ou un pare-feu bloque. Réessayez plus tard.")
    if "SSLError" in text or "CERTIFICATE" in text.upper():
        return (f"la connexion sécurisée à {host} a échoué (certificat https refusé) : "
                "vérifiez l'adresse ; si elle est juste, prévenez la coordination du Pays.")
    if "refused" in text.lower() or "Errno 111" in text:
        return (f"connexion refusée par {base_url} : la machine répond mais rien n'écoute à ce "
                "port. Vérifiez le port de l'adresse, ou que l'annuaire est bien démarré.")
    if "Name or service not known" in text or "NameResolution" in text:
        return f"le nom « {host} » est introuvable : vérifiez l'orthographe de l'adresse."
    return (f"annuaire injoignable à {base_url} : vérifiez la connexion de cette machine à "
            "Internet, puis réessayez.")


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
