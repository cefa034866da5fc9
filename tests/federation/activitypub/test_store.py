"""The activity log never says more than the latest announcement of an object."""

from __future__ import annotations

import json

from sqlalchemy import MetaData, create_engine

from federation.activitypub import store

EVENT = "https://village.example/ap/events/1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _activity(kind: str, number: int, obj: dict[str, object]) -> dict[str, object]:
    return {"id": f"https://village.example/ap/activities/{number}", "type": kind,
            "actor": "https://village.example/ap/actor", "to": [PUBLIC], "object": obj}


def test_an_update_rewrites_and_a_delete_forgets_earlier_announcements() -> None:
    metadata = MetaData()
    tables = store.define_tables(metadata)
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        store.record_activity(connection, tables, _activity(
            "Create", 1, {"id": EVENT, "type": "Event", "name": "Atelier chez Camille, 3 rue"}),
            True, ["https://mastodon.example/inbox"], now=1)
        store.record_activity(connection, tables, _activity(
            "Update", 2, {"id": EVENT, "type": "Event", "name": "Atelier à la mairie"}),
            True, ["https://mastodon.example/inbox"], now=2)
        text = json.dumps(store.all_bodies(connection, tables), ensure_ascii=False)
        assert "Camille" not in text and text.count("Atelier à la mairie") == 2
        assert store.outbox_total(connection, tables) == 2

        store.record_activity(connection, tables, _activity(
            "Delete", 3, {"id": EVENT, "type": "Tombstone", "formerType": "Event"}),
            True, ["https://mastodon.example/inbox"], now=3)
        bodies = store.all_bodies(connection, tables)
        assert [body["type"] for body in bodies] == ["Create", "Update", "Delete"]
        assert "Atelier" not in json.dumps(bodies, ensure_ascii=False)
        assert store.outbox_total(connection, tables) == 1  # only the Delete is served
        due = store.due_deliveries(connection, tables, now=10)
        assert [json.loads(item.body)["type"] for item in due] == ["Delete"]
