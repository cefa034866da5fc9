"""A synthetic Pays network for ``scripts/bench-directory``: data and a signed-feed simulator.

Importable (the benchmark builds the same records to measure the raw limit) and runnable as
its own process: ``python scripts/bench_directory_feed.py --port P --nodes N --members M
--directory-key B64 --directory-keyid ID`` serves, on 127.0.0.1 only, every simulated
node's ``GET /nodes/<node-id>/federation/feed`` exactly as docs/federation.md section 7 says:
the directory's request signature is verified (key, clock, digest, nonce), the cursor is the
HMAC-signed opaque cursor of ``federation.feed``, records are envelopes valid under
``federation/schemas`` and the page is signed with that node's own Ed25519 key.

Control endpoints for the benchmark (unsigned, loopback only): ``GET /_bench/stats`` (feed
requests served), ``POST /_bench/reset``, ``POST /_bench/edit`` with ``{"node", "word",
"inbox"}`` (the node changes one member, which gets a new sequence number; with ``inbox`` the
node also pushes it, signed, to the directory's inbox as a real node does).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import random
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

import communes  # noqa: E402
from federation.errors import FederationRefusal  # noqa: E402
from federation.feed import FeedEntry, build_page, read_cursor  # noqa: E402
from federation.jsonbody import dump_json_body  # noqa: E402
from federation.keys import KeyRecord, KeyStatus, SigningKey, load_public_key_b64  # noqa: E402
from federation.nodedoc import build_node_document, published  # noqa: E402
from federation.nonces import MemoryNonceStore  # noqa: E402
from federation.signatures import sign_response  # noqa: E402
from federation.verification import utc_now, verify_signed_request  # noqa: E402

EPOCH = 1
SAVERNE = "67437"
UPDATED = "2026-03-01T08:00:00Z"
FIRST = ["Camille", "Dominique", "Léa", "Mathis", "Chloé", "Théo", "Inès", "Lucas", "Zoé",
         "Hugo", "Élodie", "Jérôme", "Anaïs", "Loïc", "Maëlle", "Noël", "Céline", "Rémi",
         "Gaëlle", "Benoît", "Sophie", "Antoine", "Margaux", "Yannick", "Aurélie"]
LAST = ["Muller", "Schmitt", "Meyer", "Weber", "Klein", "Wagner", "Hoffmann", "Schneider",
        "Fischer", "Kieffer", "Roth", "Becker", "Lefèvre", "Girard", "Bauer", "Koenig",
        "Walter", "Lang", "Heitz", "Ehrhart", "Gross", "Zimmermann", "Fuchs", "Jung"]
TRADES = ["Menuisier", "Menuisière", "Ébéniste", "Plombier", "Électricienne", "Graphiste",
          "Couturière", "Boulanger", "Maraîchère", "Photographe", "Traductrice",
          "Développeur web", "Comptable", "Architecte", "Céramiste", "Tapissier",
          "Paysagiste", "Charpentier", "Sophrologue", "Illustratrice", "Forgeron",
          "Luthier", "Couvreur", "Vannière", "Apicultrice", "Brasseur", "Rédactrice",
          "Consultante RH", "Réparateur de vélos", "Potière"]
SKILLS = ["menuiserie", "rénovation", "couture", "mise en page", "photographie", "soudure",
          "comptabilité", "allemand", "alsacien", "permaculture", "site web", "ébénisterie",
          "restauration de meubles", "isolation", "domotique", "illustration", "traduction",
          "apiculture", "poterie", "vannerie", "jardinage", "charpente", "formation",
          "réseaux sociaux", "marqueterie", "tapisserie", "brassage", "vélo", "céramique",
          "gestion de projet"]
OFFERS = ["Atelier bois partagé le samedi", "Prête une scie à onglet", "Cours d'allemand",
          "Covoiturage vers Strasbourg", "Bureau à partager", "Conseil en comptabilité"]
NEEDS = ["Cherche un graphiste pour un logo", "Besoin d'un plombier", "Local pour stockage",
         "Cherche traduction en alsacien", "Aide pour un site web", "Camion pour un déménagement"]


def node_ids(count: int) -> list[str]:
    return [f"village-{index:03d}" for index in range(1, count + 1)]


def node_key(node_id: str) -> SigningKey:
    """Deterministic TEST key of a simulated node (never used anywhere else)."""
    keyid = f"{node_id}:k1"
    seed = hashlib.sha256(f"chaleur bench-directory key {keyid}".encode()).digest()
    return SigningKey(Ed25519PrivateKey.from_private_bytes(seed), keyid)


def feed_path(node_id: str) -> str:
    return f"/nodes/{node_id}/federation/feed"


def node_document(node_id: str, origin: str) -> dict[str, Any]:
    """The document the node would send with its join request (endpoints under its prefix)."""
    prefix = f"/nodes/{node_id}/federation"
    return build_node_document(
        base_url=origin, node_id=node_id, name=f"Tiers-lieu {node_id}", role="node",
        territory="Pays de Saverne, Plaine et Plateau", communes=[SAVERNE],
        contact={"name": "Animatrice", "email": f"contact@{node_id}.example"},
        keys=[published(node_key(node_id).keyid, node_key(node_id).public_key)],
        software_version="bench",
        endpoints={"inbox": f"{prefix}/inbox", "feed": f"{prefix}/feed",
                   "join": f"{prefix}/join", "network": f"{prefix}/network"})


def _nearby_communes() -> list[str]:
    centre = communes.find(SAVERNE)
    assert centre is not None
    return sorted(c.code for c in communes.within_km(centre, 35))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _envelope(kind: str, record_id: str, origin: str, payload: dict[str, Any],
              version: int = 1) -> dict[str, Any]:
    return {"type": kind, "id": record_id, "origin": origin, "version": version,
            "updated": UPDATED, "deleted": False, "payload": payload}


def _member(rng: random.Random, places: list[str]) -> dict[str, Any]:
    first, last, trade = rng.choice(FIRST), rng.choice(LAST), rng.choice(TRADES)
    place = rng.choice(places)
    slug = hashlib.sha1(f"{first}{last}{rng.random()}".encode()).hexdigest()[:6]
    return {"display_name": f"{first} {last}", "trade": trade,
            "business_name": f"Atelier {last} {slug}", "commune_code": place,
            "skills": rng.sample(SKILLS, rng.randint(2, 5)),
            "bio": f"{trade} installé·e depuis {rng.randint(1, 30)} ans ; "
                   f"travaille pour les particuliers et les communes du Pays.",
            "languages": rng.sample(["fr", "de", "en", "it"], rng.randint(1, 3)),
            "website": f"https://{slug}.example", "contact_email": f"{slug}@example.org",
            "public": ["display_name", "trade", "business_name", "commune_code", "skills",
                       "bio", "languages", "website"]}


def node_records(node_id: str, members: int, seed: int = 2026) -> list[dict[str, Any]]:
    """One node's records in feed order: members, then offers/needs (1 in 20), then events."""
    rng = random.Random(f"{seed}:{node_id}")
    places = _nearby_communes()
    records = [_envelope("member", _uuid(rng), node_id, _member(rng, places))
               for _ in range(members)]
    member_ids = [record["id"] for record in records]
    for index in range(max(1, members // 20)):
        kind = "offer" if index % 2 == 0 else "need"
        title = rng.choice(OFFERS if kind == "offer" else NEEDS)
        records.append(_envelope("listing", _uuid(rng), node_id, {
            "kind": kind, "title": title, "details": f"{title}, voir avec moi.", "public": True,
            "member_id": rng.choice(member_ids)}))
    for index in range(max(1, members // 100)):
        day = 1 + index % 28
        records.append(_envelope("event", _uuid(rng), node_id, {
            "title": f"Café des indépendants n°{index + 1}", "commune_code": rng.choice(places),
            "public": True, "starts_at": f"2026-06-{day:02d}T17:00:00Z",
            "ends_at": f"2026-06-{day:02d}T19:00:00Z",
            "cancelled": False, "venue_id": None, "venue_name": "Salle des fêtes"}))
    return records


@dataclass
class NodeFeed:
    """One node's change log: each record at the sequence number of its latest change."""

    node_id: str
    key: SigningKey
    secret: bytes
    seqs: list[int] = field(default_factory=list)
    entries: list[FeedEntry] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)  # record id -> seq
    last_seq: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, record: dict[str, Any]) -> None:
        """A change: the record's previous entry leaves the log, the new one goes last."""
        with self.lock:
            old = self.position.get(record["id"])
            if old is not None:
                index = bisect.bisect_left(self.seqs, old)
                del self.seqs[index], self.entries[index]
            self.last_seq += 1
            self.seqs.append(self.last_seq)
            self.entries.append(FeedEntry(self.last_seq, record))
            self.position[record["id"]] = self.last_seq

    def page(self, cursor: str | None, limit: int) -> dict[str, Any]:
        after = read_cursor(cursor, secret=self.secret, epoch=EPOCH, horizon_seq=0)
        with self.lock:
            start = bisect.bisect_right(self.seqs, after)
            chunk = self.entries[start:start + limit + 1]
        return build_page(chunk, limit, after=after, epoch=EPOCH, secret=self.secret)

    def record(self, index: int) -> dict[str, Any]:
        with self.lock:
            return dict(self.entries[index % len(self.entries)].record)


def build_feeds(count: int, members: int) -> dict[str, NodeFeed]:
    feeds = {}
    for node_id in node_ids(count):
        feed = NodeFeed(node_id, node_key(node_id),
                        hashlib.sha256(f"feed secret {node_id}".encode()).digest())
        for record in node_records(node_id, members):
            feed.append(record)
        feeds[node_id] = feed
    return feeds


class Simulator:
    """The WSGI app that plays every node of the network."""

    def __init__(self, origin: str, feeds: dict[str, NodeFeed], directory_key: KeyRecord) -> None:
        self.origin, self.feeds, self.directory_key = origin, feeds, directory_key
        self.nonces = MemoryNonceStore()
        self.requests = 0
        self.edits = 0
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path.startswith("/_bench/"):
                status, body, headers = self.control(method, path, environ)
            else:
                status, body, headers = self.feed(method, path, environ)
        except FederationRefusal as exc:
            status, headers = exc.status, {"Content-Type": "application/json"}
            body = dump_json_body({"error": exc.code, "message": exc.message})
        start_response(f"{status} {'OK' if status < 400 else 'Refused'}",
                       [*headers.items(), ("Content-Length", str(len(body)))])
        return [body]

    def feed(self, method: str, path: str, environ: dict[str, Any]
             ) -> tuple[int, bytes, dict[str, str]]:
        parts = path.split("/")
        feed = self.feeds.get(parts[2]) if len(parts) == 5 else None
        if method != "GET" or feed is None or path != feed_path(feed.node_id):
            return 404, b'{"error":"not_found","message":""}', {
                "Content-Type": "application/json"}
        with self.lock:
            self.requests += 1
        query = environ.get("QUERY_STRING", "")
        target = path + ("?" + query if query else "")
        headers = [(key[5:].replace("_", "-").title(), value)
                   for key, value in environ.items() if key.startswith("HTTP_")]
        verify_signed_request(
            "GET", target, headers, b"", public_origin=self.origin,
            resolve_key=lambda keyid: self.directory_key if keyid == self.directory_key.keyid
            else None, nonces=self.nonces, now=utc_now())
        args = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
        from urllib.parse import unquote
        limit = min(100, max(1, int(args["limit"]))) if args.get("limit", "").isdigit() else 100
        page = feed.page(unquote(args.get("cursor", "")), limit)
        body = dump_json_body(page)
        signed = sign_response(200, {"Content-Type": "application/json"}, body,
                               request_method="GET", request_url=self.origin + target,
                               request_headers=headers, key=feed.key, now=utc_now())
        return 200, body, signed

    def control(self, method: str, path: str, environ: dict[str, Any]
                ) -> tuple[int, bytes, dict[str, str]]:
        plain = {"Content-Type": "application/json"}
        if path == "/_bench/stats":
            return 200, json.dumps({"feed_requests": self.requests}).encode(), plain
        if path == "/_bench/reset" and method == "POST":
            with self.lock:
                self.requests = 0
            return 200, b"{}", plain
        if path == "/_bench/edit" and method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            order = json.loads(environ["wsgi.input"].read(size) or b"{}")
            return 200, json.dumps(self.edit(order)).encode(), plain
        return 404, b"{}", plain

    def edit(self, order: dict[str, Any]) -> dict[str, Any]:
        """The node changes one of its members (a new bio word); optionally pushes it."""
        feed = self.feeds[order["node"]]
        with self.lock:
            self.edits += 1
            index = self.edits * 7
        record = feed.record(index)
        while record["type"] != "member":
            index += 1
            record = feed.record(index)
        payload = dict(record["payload"])
        payload["bio"] = f"{payload['bio'][:1500]} {order['word']}"
        record.update(version=record["version"] + 1, payload=payload)
        feed.append(record)
        answer: dict[str, Any] = {"id": record["id"], "version": record["version"]}
        if order.get("inbox"):
            from federation.client import SignedClient
            client = SignedClient(feed.key, allow_private_addresses=True)
            try:
                answer["inbox"] = client.post(order["inbox"], {"records": [record]}).data
            finally:
                client.close()
        return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--directory-keyid", required=True)
    parser.add_argument("--directory-key", required=True, help="base64url public key")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    origin = f"http://127.0.0.1:{args.port}"
    directory_key = KeyRecord(args.directory_keyid, args.directory_keyid.split(":")[0],
                              load_public_key_b64(args.directory_key), KeyStatus.ACTIVE)
    app = Simulator(origin, build_feeds(args.nodes, args.members), directory_key)
    from waitress import serve
    print("ready", flush=True)
    serve(app, host="127.0.0.1", port=args.port, threads=args.threads, ident="bench-feed",
          _quiet=True)


if __name__ == "__main__":
    main()
