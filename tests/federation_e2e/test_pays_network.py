"""The whole network with real processes on loopback: one Pays directory, two village nodes.

Everything goes through the real command lines (``python -m directory init|serve|nodes``,
``python -m node init|federation join|serve``) and the real HTTP protocol. Tests read the
directory's database directly to prove what was (not) stored. The processes are shared by
the module and the tests run in order, like the life of the network: join, pending,
admission, pushes, privacy, impersonation, a missed push caught by the pull, suspension,
the Réseau page.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from directory.extensions import db as pays_db
from directory.models import Peer as PaysPeer
from directory.models import PeerKey as PaysPeerKey
from directory.models import Record
from federation.client import PeerRefused, SignedClient
from federation.keys import (
    SigningKey,
    generate_signing_key,
    load_private_key,
    public_key_b64,
)
from federation.signatures import sign_request
from federation.verification import utc_now
from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    Admission,
    FieldGroup,
    Listing,
    Member,
    NetworkCopy,
    OutboxEntry,
    Peer,
    Visibility,
)
from node.peering.identity import node_document
from node.services import accounts, questions
from node.services.events import EventInput, create_event
from node.services.members import delete_member
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess

pytestmark = pytest.mark.slow
WEST = "westhouse-marmoutier"
SPARS = "sparsbach"


@dataclass
class Network:
    pays: DirectoryProcess
    spars: NodeProcess
    west: NodeProcess

    def nodes(self) -> tuple[NodeProcess, NodeProcess]:
        return self.spars, self.west


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    root = tmp_path_factory.mktemp("pays-network")
    pays = DirectoryProcess(root)
    pays.init()
    pays.start()
    spars = NodeProcess(root, SPARS)
    spars.init("Tiers-lieu de Sparsbach", "67475")
    west = NodeProcess(root, WEST)
    west.init("Tiers-lieu de Westhouse-Marmoutier", "67527")
    for node in (spars, west):
        node.cli("federation", "join", "--directory", pays.url, "--fingerprint",
                 pays.fingerprint)
        node.start()
    network = Network(pays, spars, west)
    yield network
    for node in (spars, west):
        node.close()
    pays.close()


# -- helpers -----------------------------------------------------------------------------

def node_key(node: NodeProcess) -> SigningKey:
    keyid = f"{node.node_id}:k1"
    return load_private_key(node.instance / "keys" / f"{keyid}.pem", keyid)


def stored_records(pays: DirectoryProcess, node_id: str) -> dict[str, dict[str, Any]]:
    """uuid -> {type, version, deleted, payload} of one node's records in the directory DB."""
    with pays.app().app_context():
        rows = pays_db.session.execute(
            select(Record).join(PaysPeer, PaysPeer.id == Record.peer_id)
            .where(PaysPeer.node_id == node_id)).scalars().all()
        found = {row.uuid: {"type": row.type, "version": row.version, "deleted": row.deleted,
                            "payload": row.payload} for row in rows}
        pays_db.session.remove()
        return found


def pays_peer(pays: DirectoryProcess, node_id: str) -> dict[str, Any]:
    with pays.app().app_context():
        peer = pays_db.session.scalars(select(PaysPeer).where(PaysPeer.node_id == node_id)).one()
        keys = {row.keyid: (row.public_key, row.status) for row in pays_db.session.scalars(
            select(PaysPeerKey).where(PaysPeerKey.peer_id == peer.id))}
        data = {"status": peer.status, "fingerprint": peer.key_fingerprint, "keys": keys,
                "name": peer.name, "document": peer.document, "cursor": peer.feed_cursor}
        pays_db.session.remove()
        return data


def admission(node: NodeProcess) -> str:
    with node.app().app_context():
        value = str(db.session.scalars(db.select(Peer)).one().admission)
        db.session.remove()
        return value


def admission_is(node: NodeProcess, expected: str) -> bool:
    return admission(node) == expected


def outbox_states(node: NodeProcess) -> set[str]:
    with node.app().app_context():
        states = {row.state for row in db.session.scalars(db.select(OutboxEntry))}
        db.session.remove()
        return states


def add_member(node: NodeProcess, name: str, *, identity: Visibility = Visibility.PUBLIC,
               skills: Visibility = Visibility.PUBLIC, trade: str = "",
               listing: str = "", **fields: Any) -> str:
    with node.app().app_context():
        email = f"{re.sub(r'[^a-z]', '', name.lower())}-{uuid.uuid4().hex[:6]}@example.org"
        account = accounts.create_account(email, name, PASSWORD, commune_code="67475")
        member: Member = account.member
        member.set_visibility(FieldGroup.IDENTITY, identity)
        member.set_visibility(FieldGroup.SKILLS, skills)
        if listing:
            member.listings.append(Listing(kind="offer", title=listing))
        member.trade = trade
        for field_name, value in fields.items():
            setattr(member, field_name, value)
        db.session.commit()
        member_uuid = str(member.uuid)
        db.session.remove()
        return member_uuid


def change_member(node: NodeProcess, member_uuid: str, **changes: Any) -> None:
    with node.app().app_context():
        member = db.session.scalars(db.select(Member).where(Member.uuid == member_uuid)).one()
        for name, value in changes.items():
            if name.startswith("visibility_"):
                member.set_visibility(FieldGroup(name.removeprefix("visibility_")), value)
            else:
                setattr(member, name, value)
        db.session.commit()
        db.session.remove()


def pays_search(pays: DirectoryProcess, query: str) -> str:
    answer = requests.get(pays.url + "/annuaire", params={"q": query}, timeout=10)
    assert answer.status_code == 200
    return answer.text


def signed(node: NodeProcess, pays: DirectoryProcess) -> SignedClient:
    return SignedClient(node_key(node), allow_private_addresses=True)


def push_as(node: NodeProcess, pays: DirectoryProcess,
            records: list[dict[str, Any]]) -> requests.Response:
    """A signed inbox POST with `node`'s real key, bypassing its outbox."""
    from federation.jsonbody import dump_json_body

    body = dump_json_body({"records": records})
    url = pays.url + "/federation/inbox"
    headers = sign_request("POST", url, {"Content-Type": "application/json"}, body,
                           key=node_key(node), now=utc_now())
    return requests.post(url, data=body, headers=headers, timeout=10)


def envelope(record_id: str, origin: str, version: int, payload: dict[str, Any] | None,
             kind: str = "member") -> dict[str, Any]:
    return {"type": kind, "id": record_id, "origin": origin, "version": version,
            "updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "deleted": payload is None, "payload": payload}


# -- the life of the network -----------------------------------------------------------

def test_join_leaves_nodes_pending_and_their_pushes_are_refused(net: Network) -> None:
    for node in net.nodes():
        peer = pays_peer(net.pays, node.node_id)
        assert peer["status"] == "pending"
        printed = node.cli("federation", "fingerprint").stdout
        assert peer["fingerprint"] and peer["fingerprint"] in printed
        wait_for(partial(admission_is, node, Admission.NOT_USABLE))
    assert stored_records(net.pays, SPARS) == {} and stored_records(net.pays, WEST) == {}
    # Same request again: idempotent, still pending.
    again = net.spars.cli("federation", "join", "--directory", net.pays.url, "--fingerprint",
                          net.pays.fingerprint)
    assert "Demande d'adhésion envoyée" in again.stdout
    assert pays_peer(net.pays, SPARS)["status"] == "pending"
    # A pending node gets nothing: not the network copy, not a push.
    client = signed(net.spars, net.pays)
    with pytest.raises(PeerRefused) as refused:
        client.get(net.pays.url + "/federation/network")
    assert (refused.value.status, refused.value.code) == (403, "key_not_usable")
    answer = push_as(net.spars, net.pays, [envelope(str(uuid.uuid4()), SPARS, 1,
                                                    {"display_name": "Intrus"})])
    assert (answer.status_code, answer.json()["error"]) == (403, "key_not_usable")
    assert stored_records(net.pays, SPARS) == {}
    client.close()


def test_a_node_id_taken_by_another_key_is_refused(net: Network, tmp_path: Path) -> None:
    impostor = NodeProcess(tmp_path, SPARS)
    impostor.init("Faux tiers-lieu", "67475")
    result = impostor.cli("federation", "join", "--directory", net.pays.url, "--fingerprint",
                          net.pays.fingerprint, check=False)
    assert result.returncode == 1 and "connaît déjà un nœud" in result.stderr
    assert pays_peer(net.pays, SPARS)["name"] == "Tiers-lieu de Sparsbach"
    impostor.close()


def test_admission_prints_the_fingerprint_and_starts_deliveries(net: Network) -> None:
    for node in net.nodes():
        expected = pays_peer(net.pays, node.node_id)["fingerprint"]
        out = net.pays.cli("nodes", "admit", node.node_id, "--by", "Léa").stdout
        assert f"{node.node_id} : admis" in out and expected in out
    for node in net.nodes():
        wait_for(partial(admission_is, node, Admission.ADMITTED), timeout=20)
        records = wait_for(partial(stored_records, net.pays, node.node_id))
        community = [r for r in records.values() if r["type"] == "community"]
        assert community and community[0]["version"] >= 1
    assert outbox_states(net.spars) == {"delivered"}


def test_only_network_level_fields_ever_reach_the_directory(net: Network) -> None:
    shared = add_member(net.spars, "Aurélie Partage", trade="Reliure",
                        bio="MARK-BIO-COMMUNITY", contact_email="mark-mail@example.org",
                        phone="+33 6 00 00 77 41")
    change_member(net.spars, shared, visibility_about=Visibility.COMMUNITY,
                  visibility_contact=Visibility.PRIVATE)
    add_member(net.spars, "Bastien MARK-NAME-COMMUNITY", identity=Visibility.COMMUNITY,
               trade="MARK-TRADE-COMMUNITY")
    add_member(net.spars, "Chloé MARK-NAME-PRIVATE", identity=Visibility.PRIVATE,
               trade="MARK-TRADE-PRIVATE", bio="MARK-BIO-PRIVATE")
    wait_for(lambda: shared in stored_records(net.pays, SPARS))
    wait_for(lambda: outbox_states(net.spars) == {"delivered"})
    stored = net.pays.database_text()
    for marker in ("MARK-", "mark-mail", "77 41"):
        assert marker not in stored
    assert stored_records(net.pays, SPARS)[shared]["payload"]["trade"] == "Reliure"
    assert "Aurélie Partage" in pays_search(net.pays, "reliure")

    gone = add_member(net.spars, "Denise Départ", trade="Zythologie")
    wait_for(lambda: gone in stored_records(net.pays, SPARS))
    change_member(net.spars, shared, visibility_identity=Visibility.COMMUNITY)  # consent off
    with net.spars.app().app_context():
        after_commit = delete_member(
            db.session.scalars(db.select(Member).where(Member.uuid == gone)).one())
        db.session.commit()
        after_commit()
        db.session.remove()
    wait_for(lambda: stored_records(net.pays, SPARS)[shared]["deleted"]
             and stored_records(net.pays, SPARS)[gone]["deleted"])
    assert stored_records(net.pays, SPARS)[shared]["payload"] is None
    assert "Aurélie Partage" not in pays_search(net.pays, "reliure")
    assert "Denise Départ" not in pays_search(net.pays, "zythologie")
    # Not a trace in any table, the full-text index's own segments included (the worker
    # compacts the index once per pull interval, 1 s here; SQLite runs with secure_delete).
    def leftovers() -> list[str]:
        stored = net.pays.database_text().lower()
        # Word stems: the index stores words prefix-compressed, stems in full.
        return [word for word in ("aur\\u00e9lie", "aurel", "reliur", "denis", "zytholog")
                if word in stored]

    wait_for(lambda: leftovers() == [], timeout=10)


def test_a_trade_search_finds_both_villages_and_edits_show_within_seconds(
        net: Network) -> None:
    anne = add_member(net.spars, "Anne Tonnelière", trade="Tonnellerie")
    add_member(net.west, "Bruno Tonnelier", trade="Tonnellerie")
    def both_villages() -> str:
        html = pays_search(net.pays, "tonnellerie")
        return html if "Anne Tonnelière" in html and "Bruno Tonnelier" in html else ""

    page = wait_for(both_villages)
    assert "Westhouse-Marmoutier" in page and "Sparsbach" in page
    change_member(net.spars, anne, trade="Charpente marine")
    started = datetime.now(UTC)
    wait_for(lambda: "Anne Tonnelière" in pays_search(net.pays, "charpente"), timeout=10)
    assert (datetime.now(UTC) - started).total_seconds() < 10
    assert "Anne Tonnelière" not in pays_search(net.pays, "tonnellerie")


#: Values the demo members below open to the network (« Réseau ») and not to everyone.
NETWORK_VALUES = ("NETBIO-7731", "77 19", "helene.reseau", "NETNAME-5512", "NETTRADE-4410",
                  "NETLISTING-3307", "NETEVENT-9902", "NETQUESTION-8803")


def anonymous_pages(origin: str, start: list[str], limit: int = 400) -> dict[str, str]:
    """Every same-origin page and answer reachable from ``start`` without signing in (links
    followed breadth first, sign-in and form pages included), URL → body."""
    seen: dict[str, str] = {}
    queue = [origin + path for path in start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        answer = requests.get(url, timeout=10, allow_redirects=False)
        seen[url] = answer.text
        if "html" not in answer.headers.get("Content-Type", ""):
            continue
        for link in re.findall(r'href="([^"#]+)"', answer.text):
            link = link.replace("&amp;", "&")
            if link.startswith("/") and not link.startswith("//"):
                link = origin + link
            # Sign-in links carry the page they come from (next=): crawled once, bare.
            if link.startswith(origin) and "/ui/static/" not in link and link not in seen \
                    and "next=" not in link:
                queue.append(link)
    return seen


def without_query(url: str, body: str) -> str:
    """The body in lower case without the visitor's own search words, which a results page
    echoes in its search box."""
    typed = parse_qs(urlsplit(url).query).get("q", [""])[0].lower()
    body = body.lower()
    return body.replace(typed, "") if typed else body


def test_network_fields_are_shown_to_no_anonymous_visitor(net: Network) -> None:
    """« Réseau » means the network's members: a phone, an e-mail, a bio, a whole member, an
    offer and a rencontre opened to the network travel to the directory (and back to the
    villages in the signed network copy) but no anonymous page, API answer, feed or search
    of the Pays site or of a village shows them, nor finds anything by them."""
    helene = add_member(net.spars, "Hélène Publique", trade="Vannerie",
                        bio="NETBIO-7731 vannière", phone="+33 6 12 34 77 19",
                        contact_email="helene.reseau@example.org")
    change_member(net.spars, helene, visibility_about=Visibility.NETWORK,
                  visibility_contact=Visibility.NETWORK)
    gaspard = add_member(net.spars, "Gaspard NETNAME-5512", identity=Visibility.NETWORK,
                         skills=Visibility.NETWORK, trade="NETTRADE-4410",
                         listing="NETLISTING-3307 enclume")
    with net.spars.app().app_context():
        soon = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=9)
        create_event(EventInput("NETEVENT-9902 soirée", soon, soon + timedelta(hours=2),
                                visibility=Visibility.NETWORK))
        create_event(EventInput("Marché public des artisans", soon, soon + timedelta(hours=3),
                                visibility=Visibility.PUBLIC))
        questions.ask(db.session.scalars(db.select(Member).where(Member.uuid == helene)).one(),
                      "NETQUESTION-8803 un client qui ne paie pas ?", "", "network")
        db.session.commit()
        db.session.remove()

    def arrived() -> bool:
        stored = net.pays.database_text()
        return all(value in stored for value in ("77 19", "NETNAME-5512", "NETLISTING-3307",
                                                 "NETEVENT-9902", "Marché public",
                                                 "NETQUESTION-8803"))

    wait_for(arrived, timeout=20)
    # The signed network copy still carries the network fields to the villages.
    net.west.cli("federation", "pull-network")
    with net.west.app().app_context():
        copy = str(db.session.scalars(db.select(NetworkCopy)).one().data)
        db.session.remove()
    assert "77 19" in copy and "NETNAME-5512" in copy and "NETBIO-7731" in copy
    assert "NETQUESTION-8803" in copy

    pays = anonymous_pages(net.pays.url, [
        "/", "/annuaire", "/agenda", "/agenda.ics", "/offres-et-besoins", "/territoires",
        "/decisions", "/statistiques", "/connexion/village", "/reseau", "/questions",
        "/api/v1/search",
        "/api/v1/listings",
        "/api/v1/events", "/api/v1/territories", "/api/v1/statistics", "/api/v1/openapi.json",
        *(f"/annuaire?q={q}" for q in ("vannerie", "netbio", "77 19", "helene.reseau",
                                       "netname", "nettrade", "gaspard")),
        *(f"/api/v1/search?q={q}" for q in ("vannerie", "netbio", "helene", "gaspard")),
        *(f"/offres-et-besoins?q={q}" for q in ("netlisting", "enclume")),
        *(f"/api/v1/listings?q={q}" for q in ("netlisting", "enclume"))])
    assert len(pays) > 40
    home = anonymous_pages(net.spars.url, [
        "/", "/rencontres", "/rencontres.ics", "/api/v1/members", f"/api/v1/members/{helene}",
        f"/api/v1/members/{gaspard}", "/api/v1/events", f"/membres/{helene}",
        f"/membres/{helene}.vcf", "/carnet.vcf", "/api/v1/openapi.json"])
    leaks = {(url, value) for pages in (pays, home) for url, body in pages.items()
             for value in NETWORK_VALUES if value.lower() in without_query(url, body)}
    assert leaks == set()
    # What is public still shows: the public part of Hélène, the public rencontre.
    assert "Hélène Publique" in pays[net.pays.url + "/annuaire?q=vannerie"]
    search = requests.get(net.pays.url + "/api/v1/search", params={"q": "vannerie"},
                          timeout=10).json()
    assert [item["display_name"] for item in search["items"]] == ["Hélène Publique"]
    assert search["items"][0]["phone"] == "" and search["items"][0]["bio"] == ""
    assert "Marché public des artisans" in pays[net.pays.url + "/agenda.ics"]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def member_email(node: NodeProcess, member_uuid: str) -> str:
    with node.app().app_context():
        email = str(db.session.scalars(db.select(Member).where(
            Member.uuid == member_uuid)).one().account.email)
        db.session.remove()
        return email


def sign_in_with_village(browser: requests.Session, site: str, home: NodeProcess,
                         email: str) -> requests.Response:
    """« Se connecter avec mon village » as a browser does it, redirects followed by hand:
    the site sends to the village, the village asks to sign in and (first time) to agree,
    then sends back to the site, which ends on the page it started from."""
    start = browser.get(site + f"/connexion/village/{home.node_id}?next=/", timeout=10,
                        allow_redirects=False)
    authorize = start.headers["Location"]
    assert authorize.startswith(home.url + "/oidc/authorize?")
    answer = browser.get(authorize, timeout=10, allow_redirects=False)
    if answer.status_code == 302 and "/connexion?" in answer.headers["Location"]:
        login = browser.get(home.url + answer.headers["Location"], timeout=10)
        nxt = parse_qs(urlsplit(answer.headers["Location"]).query)["next"][0]
        signed = browser.post(home.url + "/connexion", timeout=10, allow_redirects=False,
                              data={"csrf_token": csrf_of(login.text), "email": email,
                                    "password": PASSWORD, "next": nxt})
        answer = browser.get(home.url + signed.headers["Location"], timeout=10,
                             allow_redirects=False)
    if answer.status_code == 200:  # the consent page, the first time for this site
        assert "ce que ce site apprendra de vous" in answer.text
        answer = browser.post(authorize, timeout=10, allow_redirects=False,
                              data={"csrf_token": csrf_of(answer.text), "choice": "agree"})
    back = answer.headers["Location"]
    assert back.startswith(site + "/connexion/village/retour?") and f"iss={home.url}" in \
        back.replace("%3A", ":").replace("%2F", "/")
    return browser.get(back, timeout=10, allow_redirects=False)


def test_a_member_signs_in_with_their_village_on_the_pays_site_and_another_village(
        net: Network) -> None:
    """Hélène (Sparsbach) signs in on the Pays site and on Westhouse-Marmoutier with her
    village: shown as « Hélène P. — Tiers-lieu de Sparsbach », she sees « Réseau » fields
    there (a phone on the Pays API, a Westhouse member's network-only profile); signing out
    of the Pays site takes them away again."""
    helene = wait_for(lambda: next((uuid for uuid, record in stored_records(
        net.pays, SPARS).items() if (record["payload"] or {}).get("display_name")
        == "Hélène Publique"), None))
    bruno = add_member(net.west, "Bruno Réseau", identity=Visibility.NETWORK,
                       trade="Charronnage", phone="+33 6 55 44 33 22")
    change_member(net.west, bruno, visibility_contact=Visibility.NETWORK)
    wait_for(lambda: bruno in stored_records(net.pays, WEST))
    for node in net.nodes():
        node.cli("federation", "pull-network")
    browser = requests.Session()
    email = member_email(net.spars, helene)

    done = sign_in_with_village(browser, net.pays.url, net.spars, email)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    home = browser.get(net.pays.url + "/", timeout=10).text
    assert "Hélène P. — Tiers-lieu de Sparsbach" in home
    found = browser.get(net.pays.url + "/api/v1/search", params={"q": "vannerie"},
                        timeout=10).json()["items"]
    assert found[0]["phone"] == "+33 6 12 34 77 19"  # « Réseau », for a signed-in member
    assert "NETEVENT-9902" in browser.get(net.pays.url + "/agenda", timeout=10).text
    anonymous = requests.get(net.pays.url + "/api/v1/search", params={"q": "vannerie"},
                             timeout=10).json()["items"]
    assert anonymous[0]["phone"] == ""
    # Signed in, the network-only members and offers are found too (never anonymously).
    network_page = browser.get(net.pays.url + "/reseau", params={"q": "gaspard"}, timeout=10)
    assert "NETNAME-5512" in network_page.text and "NETTRADE-4410" in network_page.text
    assert "NETLISTING-3307" in browser.get(net.pays.url + "/reseau", timeout=10).text
    assert requests.get(net.pays.url + "/reseau", timeout=10,
                        allow_redirects=False).status_code == 302

    done = sign_in_with_village(browser, net.west.url, net.spars, email)
    assert done.status_code == 302
    page = browser.get(net.west.url + f"/membres/{bruno}", timeout=10)
    assert page.status_code == 200 and "+33 6 55 44 33 22" in page.text
    assert "Hélène P. — Tiers-lieu de Sparsbach" in page.text
    assert requests.get(net.west.url + f"/membres/{bruno}", timeout=10).status_code == 404

    pays_home = browser.get(net.pays.url + "/", timeout=10).text
    browser.post(net.pays.url + "/deconnexion/village", timeout=10,
                 data={"csrf_token": csrf_of(pays_home)})
    after = browser.get(net.pays.url + "/api/v1/search", params={"q": "vannerie"},
                        timeout=10).json()["items"]
    assert after[0]["phone"] == ""
    assert "Hélène P." not in browser.get(net.pays.url + "/", timeout=10).text


def age_village_sign_in(pays: DirectoryProcess, browser: requests.Session,
                        seconds: int) -> None:
    """Make the Pays session's village sign-in ``seconds`` older, as time would (the
    cookie is re-signed with the Pays's own key, read from its instance folder)."""
    app = pays.app()
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in browser.cookies if c.name == name)
    data = serializer.loads(cookie.value)
    data["network_member"]["signed_at"] -= seconds
    cookie.value = serializer.dumps(data)


def test_a_member_deactivated_at_home_loses_access_within_five_minutes(
        net: Network) -> None:
    """Past the ID token's five minutes the Pays site asks the village again without a
    screen (prompt=none): an active member stays signed in; once deactivated at home, the
    next page ends the sign-in."""
    email = "odile.depart@example.org"
    with net.spars.app().app_context():
        account = accounts.create_account(email, "Odile Départ", PASSWORD,
                                          commune_code="67475")
        db.session.commit()
        account_id = account.id
        db.session.remove()
    browser = requests.Session()
    assert sign_in_with_village(browser, net.pays.url, net.spars, email).status_code == 302
    assert "Odile D. — Tiers-lieu de Sparsbach" in browser.get(net.pays.url + "/annuaire",
                                                               timeout=10).text
    age_village_sign_in(net.pays, browser, 301)
    again = browser.get(net.pays.url + "/annuaire", timeout=10)  # silently renewed
    assert again.url == net.pays.url + "/annuaire" and "Odile D." in again.text
    with net.spars.app().app_context():
        db.session.get(Account, account_id).status = AccountStatus.DISABLED.value
        db.session.commit()
        db.session.remove()
    assert "Odile D." in browser.get(net.pays.url + "/annuaire", timeout=10).text  # < 5 min
    age_village_sign_in(net.pays, browser, 301)
    ended = browser.get(net.pays.url + "/annuaire", timeout=10)
    assert ended.url == net.pays.url + "/annuaire" and "Odile D." not in ended.text
    assert "Se connecter avec mon village" in ended.text


def test_a_node_cannot_create_change_or_delete_another_nodes_records(net: Network,
                                                                      tmp_path: Path) -> None:
    victim = add_member(net.west, "Violette Victime", trade="Poterie")
    wait_for(lambda: victim in stored_records(net.pays, WEST))
    before_records, before_peer = stored_records(net.pays, WEST), pays_peer(net.pays, WEST)
    spars_before = stored_records(net.pays, SPARS)
    own_new = str(uuid.uuid4())
    forged = {"display_name": "Violette Falsifiée", "trade": "Escroquerie"}
    attempts = {
        "create as B": [envelope(str(uuid.uuid4()), WEST, 1, forged)],
        "change B's member": [envelope(victim, WEST, 99, forged)],
        "take B's id as own": [envelope(victim, SPARS, 99, forged)],
        "delete B's member": [envelope(victim, WEST, 99, None)],
        "delete B's id as own": [envelope(victim, SPARS, 99, None)],
        "own record + B's": [envelope(own_new, SPARS, 1, {"display_name": "Honnête"}),
                             envelope(victim, WEST, 99, forged)],
    }
    for label, records in attempts.items():
        answer = push_as(net.spars, net.pays, records)
        assert answer.status_code == 403, label
        assert answer.json()["error"] == "origin_mismatch", label
    # B's node document and keys: a document for B signed by A's key, or by a key A made up.
    made_up = generate_signing_key(f"{WEST}:k2")
    with net.west.app().app_context():
        west_document = node_document()
    west_document["keys"] = [{"keyid": f"{WEST}:k2", "alg": "ed25519", "status": "active",
                              "public_key": public_key_b64(made_up.public_key)}]
    for key, status, code in ((node_key(net.spars), 401, "key_unknown"),
                              (made_up, 409, "node_id_taken")):
        client = SignedClient(key, allow_private_addresses=True)
        with pytest.raises(PeerRefused) as refused:
            client.post(net.pays.url + "/federation/join", west_document)
        assert (refused.value.status, refused.value.code) == (status, code)
        client.close()
    assert stored_records(net.pays, WEST) == before_records
    assert pays_peer(net.pays, WEST)["keys"] == before_peer["keys"]
    assert pays_peer(net.pays, WEST)["document"] == before_peer["document"]
    assert stored_records(net.pays, SPARS) == spars_before  # nothing of a refused batch
    assert "Falsifiée" not in net.pays.database_text()


def test_the_pull_catches_changes_made_while_the_directory_was_down(net: Network) -> None:
    first = add_member(net.spars, "Fanny Fil", trade="Filature")
    wait_for(lambda: first in stored_records(net.pays, SPARS))
    net.pays.stop()
    second = add_member(net.spars, "Gaston Garance", trade="Teinture")
    change_member(net.spars, first, trade="Tissage")
    change_member(net.spars, first, trade="Tapisserie")
    change_member(net.spars, second, visibility_identity=Visibility.COMMUNITY)
    third = add_member(net.spars, "Hélène Hautelisse", trade="Broderie")
    wait_for(lambda: "retrying" in outbox_states(net.spars))
    with net.spars.app().app_context():
        expected = {m.uuid: m.version for m in db.session.scalars(
            db.select(Member).where(Member.uuid.in_([first, second, third])))}
        db.session.remove()
    net.pays.start()
    # The node's outbox waits out its backoff (tens of seconds); the pull does not.
    wait_for(lambda: third in stored_records(net.pays, SPARS), timeout=15)
    stored = stored_records(net.pays, SPARS)
    assert "retrying" in outbox_states(net.spars)  # so the pull brought them
    assert stored[first]["payload"]["trade"] == "Tapisserie"
    assert stored[first]["version"] == expected[first]
    assert stored[second]["deleted"] and stored[third]["payload"]["trade"] == "Broderie"
    assert pays_peer(net.pays, SPARS)["cursor"]
    # Later delivery of the same changes by the outbox changes nothing.
    with net.spars.app().app_context():
        db.session.execute(db.update(OutboxEntry).where(OutboxEntry.state == "retrying")
                           .values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
        db.session.remove()
    wait_for(lambda: outbox_states(net.spars) == {"delivered"})
    assert stored_records(net.pays, SPARS) == stored


def test_reseau_page_shows_the_network_and_survives_the_directory(net: Network) -> None:
    out = net.spars.cli("federation", "pull-network").stdout
    assert "à jour" in out
    session = requests.Session()
    login = session.get(net.spars.url + "/connexion", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.text)
    assert token is not None
    session.post(net.spars.url + "/connexion", timeout=10, data={
        "csrf_token": token.group(1), "email": "admin@example.org", "password": PASSWORD})
    page = session.get(net.spars.url + "/reseau", timeout=10)
    assert page.status_code == 200 and "Bruno Tonnelier" in page.text
    assert "Westhouse-Marmoutier" in page.text
    net.pays.stop()
    try:
        again = session.get(net.spars.url + "/reseau", timeout=10)
        assert again.status_code == 200 and "Bruno Tonnelier" in again.text
    finally:
        net.pays.start()


def test_a_suspended_node_vanishes_at_once_and_is_refused(net: Network) -> None:
    def api_search() -> str:
        return requests.get(net.pays.url + "/api/v1/search", params={"q": "tonnellerie"},
                            timeout=10).text

    assert "Bruno Tonnelier" in pays_search(net.pays, "tonnellerie")
    assert "Bruno Tonnelier" in api_search()
    net.pays.cli("nodes", "suspend", WEST, "--reason", "Contrôle")
    assert "Bruno Tonnelier" not in pays_search(net.pays, "tonnellerie")
    assert "Bruno Tonnelier" not in api_search()
    client = signed(net.west, net.pays)
    with pytest.raises(PeerRefused) as refused:
        client.get(net.pays.url + "/federation/network")
    assert (refused.value.status, refused.value.code) == (403, "key_not_usable")
    client.close()
    add_member(net.west, "Igor Isolé", trade="Ferronnerie")
    wait_for(lambda: admission(net.west) == Admission.NOT_USABLE)
    network = signed(net.spars, net.pays).get(net.pays.url + "/federation/network").data
    assert network is not None
    assert all(item["origin"] != WEST for section in ("territories", "members", "listings",
                                                      "events") for item in network[section])
    net.pays.cli("nodes", "reinstate", WEST)
    wait_for(lambda: "Igor Isolé" in pays_search(net.pays, "ferronnerie"), timeout=20)
    assert "Bruno Tonnelier" in pays_search(net.pays, "tonnellerie")


def test_a_key_rotation_is_announced_and_deliveries_continue(net: Network) -> None:
    out = net.west.cli("federation", "rotate-key").stdout
    assert "Annuaire prévenu (HTTP 200)" in out
    keys = pays_peer(net.pays, WEST)["keys"]
    assert keys[f"{WEST}:k2"][1] == "active" and keys[f"{WEST}:k1"][1] == "retiring"
    printed = net.west.cli("federation", "fingerprint").stdout
    assert pays_peer(net.pays, WEST)["fingerprint"] in printed
    add_member(net.west, "Jeanne Nouvelle-Clé", trade="Dinanderie")
    wait_for(lambda: "Jeanne Nouvelle-Clé" in pays_search(net.pays, "dinanderie"))
