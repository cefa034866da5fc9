"""One member across the whole network, with real processes (a Pays directory, the nodes of
Sparsbach and Westhouse-Marmoutier, a real SMTP server): issue 11's « done when » as one story.

Irène, of Sparsbach, signs in with her village on the Pays site and on the Westhouse node and
sees there what a Westhouse member shows the network; answers a full Westhouse rencontre, is
waitlisted then promoted, told by her own village; writes to that Westhouse member through the
relay (the mail carries neither address); then her village deactivates her, and within five
minutes neither the Pays nor Westhouse knows her as signed in.
"""

from __future__ import annotations

import re
from functools import partial

import requests

from node.extensions import db
from node.models import Account, AccountStatus, AnswerElsewhere, NetworkCopy, Visibility
from node.services import accounts
from tests.federation_e2e.conftest import NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_pays_network import (
    add_member,
    change_member,
    csrf_of,
    member_email,
    sign_in_with_village,
    stored_records,
)
from tests.federation_e2e.test_rsvp_across_villages import (
    FROM,
    SPARS,
    WEST,
    Network,
    _account,
    _answer,
    _full_rencontre,
    _in,
    _mails_to,
    _signed_in,
)
from tests.federation_e2e.test_rsvp_across_villages import net as net  # the same network

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
