"""The printable sheet of a rencontre: this village's current offers, needs and questions,
then one page per other village (network copy); fulfilled listings left out."""

from __future__ import annotations

from flask import Flask

from node.extensions import db
from node.models import ListingKind, ListingState, Question
from node.services.listings import ListingInput, post_listing
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.members.people import sign_in
from tests.node.services.test_matching import _network_copy


def test_sheet_lists_this_village_then_each_other_village(app: Flask) -> None:
    with app.app_context():
        me = member_by_email(MEMBER_EMAIL)
        post_listing(me, ListingInput(ListingKind.LOAN, "Je prête une remorque"))
        done = post_listing(me, ListingInput(ListingKind.NEED, "Un local, c'est trouvé"))
        done.state = ListingState.FULFILLED.value
        db.session.add(Question(member=me, title="Quel assureur pour un atelier ?"))
        _network_copy()
        db.session.commit()
    page = sign_in(app, MEMBER_EMAIL).get("/annonces/fiche")
    assert page.status_code == 200
    text = page.text
    assert "Je prête une remorque" in text and "Quel assureur pour un atelier ?" in text
    assert "c&#39;est trouvé" not in text and "c'est trouvé" not in text
    assert text.index("Je prête une remorque") < text.index("Tiers-lieu de Westhouse")
    assert "Schreinerei : Treppen und Möbel" in text
    assert text.count('class="sheet-village"') == 2
    assert app.test_client().get("/annonces/fiche").status_code == 302  # members only
