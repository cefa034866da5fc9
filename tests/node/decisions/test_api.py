"""Decisions in the JSON API, and their description in the OpenAPI document."""

from __future__ import annotations

from flask import Flask

from node.extensions import db
from node.models import Account, DecisionKind
from node.services import accounts, api_tokens, decision_answers
from tests.conftest import ADMIN_EMAIL, PASSWORD
from tests.node.decisions.conftest import opened, voters


def test_decisions_options_and_results(app: Flask) -> None:
    with app.test_request_context():
        for name in ("Basile Votant", "Chloé Votante", "Dorian Votant"):
            accounts.create_account(f"{name[:3].lower()}@example.org", name, PASSWORD,
                                    commune_code="67475")
        db.session.commit()
        shared = opened(DecisionKind.JUDGMENT, options=["Fournil", "Jardin"], shared=True,
                        anonymous=True)
        private = opened(DecisionKind.POINTS, options=["A"], points_budget=5,
                         results_shown="after")
        for member in voters()[:3]:
            decision_answers.answer(shared, member, {shared.options[0].id: "5",
                                                     shared.options[1].id: "2"})
        db.session.commit()
        admin = db.session.scalars(db.select(Account).where(
            Account.email == ADMIN_EMAIL)).one()
        secret = api_tokens.create_token(admin, "essai").secret
        db.session.commit()
        options = [option.id for option in shared.options]
        shared_uuid, private_uuid = shared.uuid, private.uuid
    client = app.test_client()

    anonymous = client.get("/api/v1/decisions").get_json()
    assert [item["id"] for item in anonymous["items"]] == [shared_uuid]
    detail = client.get(f"/api/v1/decisions/{shared_uuid}").get_json()
    assert detail["results"]["participants"] == 3
    assert detail["results"]["best"] == [options[0]]
    assert detail["results"]["options"][0]["majority_grade"] == 5
    assert "member" not in str(detail["results"])
    assert client.get(f"/api/v1/decisions/{private_uuid}").status_code == 404

    headers = {"Authorization": f"Bearer {secret}"}
    seen = client.get("/api/v1/decisions?state=open", headers=headers).get_json()
    assert {item["id"] for item in seen["items"]} == {shared_uuid, private_uuid}
    hidden = client.get(f"/api/v1/decisions/{private_uuid}", headers=headers).get_json()
    assert hidden["results"] is None  # results only after the close
    refused = client.get("/api/v1/decisions?state=maybe")
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_parameter"

    document = client.get("/api/v1/openapi.json").get_json()
    assert "/decisions/{decision_uuid}" in document["paths"]
    assert "DecisionResults" in document["components"]["schemas"]
