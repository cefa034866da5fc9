"""A small real directory on loopback, for the node's end-to-end tests.

It speaks the protocol with the core library only (no directory app): serves its signed
node document, verifies joins and inbox pushes exactly as docs/federation.md says, applies
records idempotently by version, and serves a signed network overview. Switches let a test
keep the node pending, delay answers (to kill the node mid-push) or take it down.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from federation.admission import verify_join_request
from federation.errors import FederationRefusal
from federation.jsonbody import dump_json_body, parse_json_body
from federation.keys import KeyRecord, KeyStatus, SigningKey, fingerprint
from federation.nodedoc import (
    NODE_MEDIA_TYPE,
    WELL_KNOWN_PATH,
    build_node_document,
    document_keys,
    published,
)
from federation.nonces import MemoryNonceStore
from federation.records import check_origin, should_apply, validate_batch
from federation.signatures import sign_response
from federation.verification import utc_now, verify_signed_request
from federation.wsgi import request_headers, request_target

DIRECTORY_ID = "annuaire"


def directory_key(version: int = 1) -> SigningKey:
    """Deterministic TEST key of the double (never used elsewhere)."""
    keyid = f"{DIRECTORY_ID}:k{version}"
    seed = hashlib.sha256(f"chaleur e2e test key {keyid}".encode()).digest()
    return SigningKey(Ed25519PrivateKey.from_private_bytes(seed), keyid)


@dataclass
class Applied:
    """What the double stored: (type, id) -> version, and every apply in order."""

    versions: dict[tuple[str, str], int] = field(default_factory=dict)
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    log: list[tuple[str, int]] = field(default_factory=list)  # (id, version) per apply


class DirectoryDouble:
    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.key = directory_key()
        self.nonces = MemoryNonceStore()
        self.node_document: dict[str, Any] | None = None
        self.join_signer = ""
        self.admitted = False
        self.join_status = 202
        self.inbox_delay = 0.0
        self.inbox_started = threading.Event()
        self.applied = Applied()
        self.inbox_requests = 0
        self.extra_network: dict[str, list[dict[str, Any]]] = {}
        self.lock = threading.Lock()
        self.server: BaseWSGIServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key.public_key)

    def document(self) -> dict[str, Any]:
        return build_node_document(
            base_url=self.origin, node_id=DIRECTORY_ID, name="Annuaire du Pays (test)",
            role="directory", territory="Pays de Saverne, Plaine et Plateau", communes=[],
            contact={"name": "Coordination", "email": "pays@example.org"},
            keys=[published(self.key.keyid, self.key.public_key)], software_version="test")

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # -- WSGI ------------------------------------------------------------------------
    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data(cache=True)
        routes = {("GET", WELL_KNOWN_PATH): self.well_known, ("POST", "/federation/join"):
                  self.join, ("POST", "/federation/inbox"): self.inbox,
                  ("GET", "/federation/network"): self.network}
        handler = routes.get((request.method, request.path))
        if handler is None:
            return Response(b'{"error":"not_found","message":""}', 404,
                            mimetype="application/json")(environ, start_response)
        try:
            status, payload = handler(environ, body)
        except FederationRefusal as exc:
            return Response(dump_json_body(exc.as_json()), exc.status,
                            mimetype="application/json")(environ, start_response)
        return self.signed(environ, status, payload)(environ, start_response)

    def signed(self, environ: dict[str, Any], status: int, payload: dict[str, Any]) -> Response:
        raw = dump_json_body(payload)
        media = NODE_MEDIA_TYPE if environ["PATH_INFO"] == WELL_KNOWN_PATH else "application/json"
        headers = sign_response(status, {"Content-Type": media}, raw,
                                request_method=environ["REQUEST_METHOD"],
                                request_url=self.origin + request_target(environ),
                                request_headers=request_headers(environ),
                                key=self.key, now=utc_now())
        return Response(raw, status, headers=headers)

    def verify(self, environ: dict[str, Any], body: bytes) -> str:
        """Verify a node's request with the key from its join; PENDING until admitted."""
        document = self.node_document
        keys = {} if document is None else {
            key.keyid: key for key in document_keys(
                document, KeyStatus.ACTIVE if self.admitted else KeyStatus.PENDING)}

        def resolve(keyid: str) -> KeyRecord | None:
            return keys.get(keyid)

        peer = verify_signed_request(environ["REQUEST_METHOD"], request_target(environ),
                                     request_headers(environ), body, public_origin=self.origin,
                                     resolve_key=resolve, nonces=self.nonces, now=utc_now())
        return peer.node_id

    def well_known(self, environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, Any]]:
        return 200, self.document()

    def join(self, environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, Any]]:
        if self.join_status == 409:
            return 409, {"error": "node_id_taken", "message": "ce nom est déjà pris"}
        signer, document = verify_join_request(
            environ["REQUEST_METHOD"], request_target(environ), request_headers(environ), body,
            public_origin=self.origin, nonces=self.nonces, now=utc_now())
        self.node_document, self.join_signer = document, signer.keyid
        return self.join_status, {"status": "pending"}

    def inbox(self, environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, Any]]:
        node_id = self.verify(environ, body)
        records = validate_batch(parse_json_body(body))
        self.inbox_requests += 1
        self.inbox_started.set()
        applied = ignored = 0
        with self.lock:
            for index, record in enumerate(records):
                check_origin(record, node_id, index)
                slot = (record.type, record.id)
                if should_apply(self.applied.versions.get(slot), record):
                    self.applied.versions[slot] = record.version
                    self.applied.records[slot] = record.as_json()
                    self.applied.log.append((record.id, record.version))
                    applied += 1
                else:
                    ignored += 1
        if self.inbox_delay:
            time.sleep(self.inbox_delay)
        return 202, {"applied": applied, "ignored": ignored}

    def network(self, environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, Any]]:
        self.verify(environ, body)
        sections: dict[str, list[dict[str, Any]]] = {
            "territories": [], "members": [], "listings": [], "events": []}
        names = {"community": "territories", "member": "members", "listing": "listings",
                 "event": "events"}
        with self.lock:
            for record in self.applied.records.values():
                if not record["deleted"] and record["type"] in names:
                    sections[names[record["type"]]].append(record)
        for section, extra in self.extra_network.items():
            sections[section].extend(extra)
        return 200, {"generated": "2026-01-01T00:00:00Z", **sections}
