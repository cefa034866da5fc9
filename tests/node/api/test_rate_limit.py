"""API writes share one rate limit per client; reads are not limited by it."""

from __future__ import annotations

from pathlib import Path

from node.extensions import db
from node.models import Venue
from tests.conftest import ADMIN_EMAIL, build_node
from tests.node.api.conftest import Api


def test_writes_are_rate_limited_across_endpoints(tmp_path: Path) -> None:
    app = build_node(tmp_path, RATELIMIT_ENABLED=True, API_WRITE_RATE_LIMIT="2 per minute")
    api = Api(app, app.test_client())
    body = {"name": "Grange", "commune_code": "67475"}
    assert api.send("POST", "/venues", body).status_code == 201
    assert api.send("PATCH", "/venues/1", {"capacity": 10}).status_code == 200
    limited = api.send("PATCH", "/community", {"description": "Trop vite"})
    assert limited.status_code == 429
    assert limited.get_json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert api.get("/venues", as_=ADMIN_EMAIL).status_code == 200  # reads still answer
    with app.app_context():
        assert db.session.scalars(db.select(Venue)).one().capacity == 10
        assert "Trop vite" not in api.get("/community").get_data(as_text=True)
