"""« Mise en relation réussie » between a real village node and the real Pays directory
(issue 13): once both members said they worked together, the scheduled round shares the
monthly count in the community record, the real directory's inbox accepts it (schema), and
the Pays's funders' figures show it, per village and per month, without a name."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
import requests

from node.extensions import db
from node.models import ListingKind
from node.services import accounts, calendar, cooperation, replies
from node.services.listings import ListingInput, post_listing
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_pays_network import stored_records
from tests.federation_e2e.test_series_at_the_pays import pair  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow


def test_a_confirmed_mise_en_relation_reaches_the_funders_figures_as_a_number(
        pair: tuple[DirectoryProcess, NodeProcess]) -> None:  # noqa: F811
    pays, node = pair
    with node.app().app_context():
        author = accounts.create_account("zelie@example.org", "Zélie Quenouille", PASSWORD,
                                         commune_code="67475").member
        sender = accounts.create_account("yvon@example.org", "Yvon Quenouille", PASSWORD,
                                         commune_code="67475").member
        need = post_listing(author, ListingInput(ListingKind.NEED, "Cherche un vannier"))
        reply = replies.send(need, sender, "Je tresse l'osier depuis vingt ans.")
        assert reply is not None and replies.answer(reply, "Parfait, venez jeudi.")
        conversation = cooperation.of_reply(reply)
        assert conversation is not None
        cooperation.confirm(conversation, conversation.other)
        db.session.commit()
        reply_uuid = reply.uuid
        db.session.remove()
    month = datetime.now(calendar.PARIS).strftime("%Y-%m")
    query = f"?du={month}&au={month}"

    def village_count() -> str:
        rows = requests.get(pays.url + "/statistiques/financeurs.csv" + query,
                            timeout=10).text.splitlines()
        line = next((row for row in rows if row.startswith("Tiers-lieu de Sparsbach")), "")
        return line.rsplit(",", 1)[-1].strip() if line else ""

    assert wait_for(lambda: village_count() == "0", timeout=20)  # figures shared...
    time.sleep(3)  # ...and three more rounds: one side alone counts nothing
    assert village_count() == "0"
    with node.app().app_context():
        found = replies.find(reply_uuid)
        conversation = cooperation.of_reply(found) if found is not None else None
        assert conversation is not None
        cooperation.confirm(conversation, conversation.owner)
        db.session.commit()
        db.session.remove()
    # The scheduled round (1 s here) shares the count, the push brings it to the Pays.
    assert wait_for(lambda: village_count() == "1", timeout=20)
    page = requests.get(pays.url + "/statistiques" + query, timeout=10).text
    table = page.split('id="tableau-mises-en-relation"')[1].split("</table>")[0]
    assert '<th scope="row">Tiers-lieu de Sparsbach</th><td>1</td>' in table
    text = str(stored_records(pays, "sparsbach"))
    assert "Quenouille" not in text and "vannier" not in text and "osier" not in text
