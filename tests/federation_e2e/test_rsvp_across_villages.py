"""Answering another village's rencontre, with real processes: a Pays directory, the nodes
of Sparsbach and Westhouse-Marmoutier, and a real SMTP server (aiosmtpd).

Hélène, a member of Sparsbach, signs in on the Westhouse node with her village (« Se
connecter avec mon village »), answers « je viens » to a full Westhouse rencontre and is
waitlisted; when Bruno, of Westhouse, no longer comes, she is promoted. Westhouse tells
Sparsbach each time (signed ``rsvp_state`` notices); Sparsbach mails her, lists the
rencontre in her « Mes rencontres » and her calendar feed. Westhouse never learns her
address: not in its database, not in any mail it sent, not in its log. The module ends
with issue 11's « done when » as one member's story (see the last test).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from federation.jsonbody import dump_json_body
from federation.keys import load_private_key
from federation.signatures import sign_request
from federation.verification import utc_now
from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    Admission,
    AnswerElsewhere,
    Event,
    NetworkCopy,
    Peer,
    Rsvp,
    RsvpStatus,
    VillageMessage,
    Visibility,
    utcnow,
)
from node.services import accounts, calendar, rsvps, villages
from node.services.events import EventInput, create_event
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_pays_network import (
    add_member,
    change_member,
    csrf_of,
    member_email,
    sign_in_with_village,
    stored_records,
)
from tests.support.smtp import Mailbox, smtp_server

pytestmark = pytest.mark.slow
SPARS, WEST = "sparsbach", "westhouse-marmoutier"
FROM = {SPARS: "sparsbach@chaleur.test", WEST: "westhouse@chaleur.test"}
TITLE = "Atelier vannerie partagé"


@dataclass
class Network:
    pays: DirectoryProcess
    spars: NodeProcess
    west: NodeProcess
    mailbox: Mailbox


def _in(node: NodeProcess, work: Any) -> Any:
    with node.app().test_request_context():
        try:
            return work()
        finally:
            db.session.remove()


def _ready(node: NodeProcess) -> bool:
    def check() -> bool:
        admitted = db.session.scalars(select(Peer)).one().admission == Admission.ADMITTED
        return admitted and len(villages.known_villages()) == 1
    return bool(_in(node, check))


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    root: Path = tmp_path_factory.mktemp("rsvp-across-villages")
    with smtp_server() as (mailbox, port):
        pays = DirectoryProcess(root)
        pays.init()
        pays.start()
        nodes = {}
        for node_id, name, commune in ((SPARS, "Tiers-lieu de Sparsbach", "67475"),
                                       (WEST, "Tiers-lieu de Westhouse-Marmoutier", "67527")):
            node = NodeProcess(root, node_id, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                               MAIL_PORT=port, MAIL_FROM=FROM[node_id], SCHEDULE_INTERVAL=1,
                               FEDERATION_NETWORK_INTERVAL=1)
            node.init(name, commune)
            node.cli("federation", "join", "--directory", pays.url, "--fingerprint",
                     pays.fingerprint)
            node.start()
            pays.cli("nodes", "admit", node_id, "--by", "Léa")
            nodes[node_id] = node
        for node in nodes.values():
            wait_for(partial(_ready, node), timeout=45)
        try:
            yield Network(pays, nodes[SPARS], nodes[WEST], mailbox)
        finally:
            for node in nodes.values():
                node.close()
            pays.close()


def _account(node: NodeProcess, name: str) -> str:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"

    def create() -> None:
        accounts.create_account(email, name, PASSWORD, commune_code="67475")
        db.session.commit()
    _in(node, create)
    return email


def _full_rencontre(west: NodeProcess, bruno_email: str) -> str:
    """A « Réseau » rencontre of Westhouse with one place, taken by Bruno."""
    def create() -> str:
        starts = (calendar.to_local(utcnow()) + timedelta(days=4)).replace(
            hour=18, minute=30, second=0, microsecond=0, tzinfo=None)
        event = create_event(EventInput(title=TITLE, starts_local=starts,
                                        ends_local=starts + timedelta(hours=2), capacity=1,
                                        visibility=Visibility.NETWORK))
        db.session.commit()
        bruno = accounts.find_account(bruno_email)
        assert bruno is not None
        answer = rsvps.respond(event, event.starts_at, "going", member=bruno.member)
        db.session.commit()
        rsvps.answered(answer)
        return event.uuid
    return str(_in(west, create))


def _signed_in(node: NodeProcess, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(node.url + "/connexion", timeout=10)
    answer = session.post(node.url + "/connexion", timeout=10, allow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "email": email, "password": PASSWORD})
    assert answer.status_code == 302
    return session


def _answer(browser: requests.Session, site: str, event_uuid: str, status: str) -> str:
    """Answer on the rencontre's page as a browser without JavaScript: the form, then the
    page it leads to."""
    page = browser.get(f"{site}/rencontres/{event_uuid}", timeout=10)
    assert page.status_code == 200, page.text[:500]
    stamp = re.search(r'name="occurrence"[^>]*value="([^"]+)"', page.text)
    assert stamp is not None, page.text[:3000]
    done = browser.post(f"{site}/rencontres/{event_uuid}/reponse", timeout=10,
                        allow_redirects=False, data={"csrf_token": csrf_of(page.text),
                                                     "occurrence": stamp.group(1),
                                                     "status": status})
    assert done.status_code == 302, done.text[:500]
    return unescape(browser.get(site + done.headers["Location"], timeout=10).text)


def _told_at_home(spars: NodeProcess, status: str) -> bool:
    def read() -> list[str]:
        return [row.status for row in db.session.scalars(select(AnswerElsewhere))]
    return bool(_in(spars, read) == [status])


def _mails_to(mailbox: Mailbox, email: str, subject: str) -> list[Any]:
    return [m for m in mailbox.to(email) if str(m["Subject"]).startswith(subject)]


def test_a_sparsbach_member_is_waitlisted_then_promoted_at_westhouse(net: Network) -> None:
    helene = _account(net.spars, "Hélène Vogel")
    bruno = _account(net.west, "Bruno Keller")
    event_uuid = _full_rencontre(net.west, bruno)

    browser = requests.Session()
    assert sign_in_with_village(browser, net.west.url, net.spars, helene).status_code == 302
    page = _answer(browser, net.west.url, event_uuid, "going")
    assert "Hélène V. — Tiers-lieu de Sparsbach" in page
    assert "Vous êtes n° 1 sur la liste d'attente" in page

    wait_for(partial(_told_at_home, net.spars, "waitlisted"), timeout=30)
    [waitlisted] = wait_for(lambda: _mails_to(net.mailbox, helene, "Votre réponse"),
                            timeout=15)
    assert str(waitlisted["From"]) == FROM[SPARS]
    assert "n° 1 sur la liste d'attente" in waitlisted.get_content()

    # Bruno no longer comes: his place goes to Hélène, and her village tells her.
    _answer(_signed_in(net.west, bruno), net.west.url, event_uuid, "not_going")
    [promoted] = wait_for(lambda: _mails_to(net.mailbox, helene, "Une place s'est libérée"),
                          timeout=30)
    assert str(promoted["From"]) == FROM[SPARS]
    assert promoted["Subject"] == f"Une place s'est libérée : {TITLE}"
    text = promoted.get_content()
    assert "Bonjour Hélène Vogel" in text and "Tiers-lieu de Westhouse-Marmoutier" in text
    assert f"{net.west.url}/rencontres/{event_uuid}" in text
    wait_for(partial(_told_at_home, net.spars, "going"), timeout=15)

    def at_host() -> tuple[str, str | None, str | None]:
        rsvp = db.session.scalars(select(Rsvp).join(Event).where(
            Event.uuid == event_uuid, Rsvp.home_village == SPARS)).one()
        return rsvp.status, rsvp.visitor_name, rsvp.guest_email
    assert _in(net.west, at_host) == (RsvpStatus.GOING, "Hélène V.", None)
    page = unescape(browser.get(f"{net.west.url}/rencontres/{event_uuid}", timeout=10).text)
    assert "Réponse actuelle :" in page and "je viens" in page

    # At home: « Mes rencontres » and the calendar feed (the same browser is signed in
    # at Sparsbach since the village sign-in).
    mine = unescape(browser.get(net.spars.url + "/mes-rencontres", timeout=10).text)
    assert TITLE in mine and "Tiers-lieu de Westhouse-Marmoutier" in mine and "je viens" in mine
    feed_url = re.search(r'value="([^"]*/mon-agenda\.ics\?jeton=[^"]+)"', mine)
    assert feed_url is not None
    feed = requests.get(unescape(feed_url.group(1)), timeout=10)
    assert feed.status_code == 200 and TITLE in feed.text

    # The host never learnt her address: not stored, not mailed, not logged.
    wait_for(lambda: _in(net.west, lambda: {m.state for m in db.session.scalars(
        select(VillageMessage))}) == {"delivered"}, timeout=15)
    west_database = (net.west.instance / "node.db").read_bytes()
    for suffix in ("-wal", "-journal"):
        extra = net.west.instance / f"node.db{suffix}"
        if extra.exists():
            west_database += extra.read_bytes()
    assert helene.encode() not in west_database
    assert b"Sparsbach" in west_database or SPARS.encode() in west_database
    assert helene not in net.west.log.read_text(errors="replace")
    from_west = [m for m in net.mailbox.messages if FROM[WEST] in str(m["From"])]
    assert from_west and all(helene not in m.as_string() for m in from_west)
    assert all(FROM[SPARS] in str(m["From"]) for m in net.mailbox.to(helene))


def _signed_post(net: Network, notice: dict[str, Any]) -> requests.Response:
    """A notice to Sparsbach's inbox, signed with Westhouse's own key."""
    key = load_private_key(net.west.instance / "keys" / f"{WEST}:k1.pem", f"{WEST}:k1")
    raw = dump_json_body(notice)
    url = net.spars.url + "/federation/inbox"
    headers = sign_request("POST", url, {"Content-Type": "application/json"}, raw, key=key,
                           now=utc_now())
    return requests.post(url, data=raw, headers=headers, timeout=10)


def test_the_home_village_refuses_what_the_host_may_not_say(net: Network) -> None:
    """Signed by Westhouse for real, yet refused: an older state, a link to another site, an
    answer for a member Sparsbach does not have; the stored answer stays as it was."""
    def stored() -> dict[str, Any]:
        row = db.session.scalars(select(AnswerElsewhere)).one()
        return {"answer": row.answer, "sequence": row.sequence, "status": row.status,
                "member": row.member.uuid, "event": row.event_uuid, "title": row.title,
                "url": row.url, "starts_at": row.starts_at.isoformat().replace("+00:00", "Z"),
                "ends_at": row.ends_at.isoformat().replace("+00:00", "Z")}
    before = _in(net.spars, stored)
    state = {**before, "news": "going", "status": "going", "position": None,
             "attended": None, "place": ""}
    cases = (({**state, "sequence": before["sequence"]}, 409, "answer_outdated"),
             ({**state, "sequence": before["sequence"] + 1, "url": net.spars.url + "/x"},
              403, "origin_mismatch"),
             ({**state, "sequence": before["sequence"] + 1, "answer": "999999",
               "member": str(uuid.uuid4())}, 404, "member_unknown"),
             ({**state, "sequence": "many"}, 400, "notice_invalid"))
    for body, status, code in cases:
        refused = _signed_post(net, {"rsvp_state": body})
        assert (refused.status_code, refused.json()["error"]) == (status, code)
    assert _in(net.spars, stored) == before


# -- issue 11's « done when » as one member's story ---------------------------------------
# Irène, of Sparsbach, signs in with her village on the Pays site and on the Westhouse node
# and sees there what a Westhouse member shows the network; answers a full Westhouse
# rencontre, is waitlisted then promoted, told by her own village; writes to that Westhouse
# member through the relay (the mail carries neither address); then her village deactivates
# her, and within five minutes neither the Pays nor Westhouse knows her as signed in.

PHONE = "+33 6 48 27 15 93"


def age_sign_in(site: NodeProcess | DirectoryProcess, browser: requests.Session,
                seconds: int) -> None:
    """Make this site's village sign-in ``seconds`` older, as time would (the session
    cookie re-signed with the site's own key, read from its instance folder)."""
    app = site.app()
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in browser.cookies if c.name == name)  # one name per site
    data = serializer.loads(cookie.value)
    data["network_member"]["signed_at"] -= seconds
    cookie.value = serializer.dumps(data)


def _in_home_copy(spars: NodeProcess, member_uuid: str) -> bool:
    spars.cli("federation", "pull-network")
    return member_uuid in _in(spars, lambda: str(db.session.get(NetworkCopy, 1).data))


def test_a_member_signs_in_answers_writes_and_loses_access_across_villages(
        net: Network) -> None:
    irene = _account(net.spars, "Irène Ohlmann")
    paul = _account(net.west, "Paul Kieffer")  # holds the rencontre's one place
    odette = add_member(net.west, "Odette Réseau", identity=Visibility.NETWORK,
                        trade="Tapisserie", phone=PHONE)
    change_member(net.west, odette, visibility_contact=Visibility.NETWORK)
    wait_for(lambda: odette in stored_records(net.pays, WEST), timeout=30)

    # Signed in with her village on the Pays site: « Réseau » fields of Westhouse show.
    browser = requests.Session()
    assert sign_in_with_village(browser, net.pays.url, net.spars, irene).status_code == 302
    found = browser.get(net.pays.url + "/reseau", params={"q": "tapisserie"}, timeout=10)
    assert "Odette Réseau" in found.text and "Irène O. — Tiers-lieu de Sparsbach" in found.text
    assert "Odette Réseau" not in requests.get(net.pays.url + "/annuaire", timeout=10,
                                               params={"q": "tapisserie"}).text

    # And on the Westhouse node: Odette's network-only profile, her phone.
    assert sign_in_with_village(browser, net.west.url, net.spars, irene).status_code == 302
    profile = browser.get(f"{net.west.url}/membres/{odette}", timeout=10)
    assert profile.status_code == 200 and PHONE in profile.text

    # A full Westhouse rencontre: waitlisted, then promoted when a place frees up; her own
    # village tells her both times.
    event = _full_rencontre(net.west, paul)
    assert "liste d'attente" in _answer(browser, net.west.url, event, "going")
    _answer(_signed_in(net.west, paul), net.west.url, event, "not_going")
    [promoted] = wait_for(lambda: _mails_to(net.mailbox, irene, "Une place s'est libérée"),
                          timeout=30)
    assert str(promoted["From"]) == FROM[SPARS]
    wait_for(lambda: _in(net.spars, lambda: [row.status for row in db.session.scalars(
        db.select(AnswerElsewhere).where(AnswerElsewhere.event_uuid == event))])
        == ["going"], timeout=30)

    # She writes to Odette from home, through the relay: the mail has neither address.
    wait_for(partial(_in_home_copy, net.spars, odette), timeout=30, interval=1)
    home = _signed_in(net.spars, irene)
    form = f"{net.spars.url}/reseau/ecrire/{WEST}/{odette}"
    page = home.get(form, timeout=10)
    sent = home.post(form, timeout=10, allow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "body": "Bonjour Odette, un fauteuil à refaire ?"})
    assert sent.status_code == 302, sent.text[:800]
    odette_address = member_email(net.west, odette)
    [relayed] = wait_for(lambda: [m for m in net.mailbox.to(odette_address)
                                  if "fauteuil" in m.as_string()], timeout=60, interval=0.5)
    assert irene not in relayed.as_string() and odette_address not in _body(relayed)

    # Deactivated at home: past the ID token's five minutes, both sites ask her village
    # again without a screen, and the answer ends her sign-in there.
    _in(net.spars, lambda: _disable(irene))
    for site, path in ((net.pays, "/reseau"), (net.west, f"/membres/{odette}")):
        age_sign_in(site, browser, 301)
        after = browser.get(site.url + path, timeout=10)
        assert "Irène O." not in after.text and PHONE not in after.text


def _disable(email: str) -> None:
    account = accounts.find_account(email)
    assert account is not None
    db.session.get(Account, account.id).status = AccountStatus.DISABLED.value
    db.session.commit()


def _body(message: object) -> str:
    part = message.get_body(("plain",)) if message.is_multipart() else message  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", str(part.get_content()))
