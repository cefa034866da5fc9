"""A village followed from the fediverse, for real: a node process on loopback and an
account built with bovine (a fediverse library nobody here wrote) that finds it by
WebFinger, follows it, receives and verifies Create, Update and Delete, reads the outbox,
gets Ignore for a Join, and stops receiving after Undo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from node.extensions import db
from node.models import Event, Visibility
from node.services import events
from node.services.events import EventInput
from tests.federation_e2e.conftest import NodeProcess, free_port, wait_for
from tests.federation_e2e.fediverse_double import FediverseDouble

pytestmark = pytest.mark.slow


@pytest.fixture
def ada() -> Iterator[FediverseDouble]:
    double = FediverseDouble(free_port())
    double.start()
    yield double
    double.stop()


@pytest.fixture
def village(tmp_path: Path, template_instance: Path) -> Iterator[NodeProcess]:
    node = NodeProcess(tmp_path)
    node.init_from(template_instance)
    node.start(ready="/")
    yield node
    node.close()


def add_event(node: NodeProcess, title: str, visibility: str) -> str:
    with node.app().test_request_context():
        starts = datetime.now().replace(microsecond=0, second=0) + timedelta(days=5)
        event = events.create_event(EventInput(
            title=title, starts_local=starts, ends_local=starts + timedelta(hours=2),
            description="Apportez vos outils.", visibility=visibility))
        db.session.commit()
        return event.uuid


def change_event(node: NodeProcess, uuid: str, **fields: Any) -> None:
    with node.app().test_request_context():
        event = db.session.scalars(db.select(Event).where(Event.uuid == uuid)).one()
        for name, value in fields.items():
            setattr(event, name, value)
        db.session.commit()


def received(ada: FediverseDouble, kind: str, count: int = 1) -> list[dict[str, Any]]:
    return wait_for(lambda: [a for a in ada.received if a["type"] == kind][:count]
                    if len([a for a in ada.received if a["type"] == kind]) >= count else [])


def test_followed_from_the_fediverse(village: NodeProcess, ada: FediverseDouble) -> None:
    host = urlsplit(village.url).netloc
    actor_url = ada.lookup(village.url, f"sparsbach@{host}")
    assert actor_url == f"{village.url}/ap/actor"
    status, actor = ada.get(actor_url)  # a signed GET, as Mastodon's authorized fetch
    assert status == 200 and actor is not None
    assert actor["type"] == "Group" and actor["name"] == "Tiers-lieu de Sparsbach"

    status, follow_id = ada.follow(actor["inbox"], actor_url)
    assert status == 202
    accept = received(ada, "Accept")[0]
    assert accept["object"]["id"] == follow_id and accept["_signed_by"] == actor_url
    assert accept["_inbox"] == "/users/ada/inbox"

    public = add_event(village, "Café des indépendants", Visibility.PUBLIC)
    add_event(village, "Réunion du réseau", Visibility.NETWORK)
    add_event(village, "Réunion des membres", Visibility.COMMUNITY)
    create = received(ada, "Create")[0]
    assert create["_inbox"] == "/inbox"  # one POST per server, to its shared inbox
    assert create["_signed_by"] == actor_url
    assert create["object"]["type"] == "Event"
    assert create["object"]["name"] == "Café des indépendants"

    change_event(village, public, title="Café des indépendants (salle du haut)")
    update = received(ada, "Update")[0]
    assert update["object"]["name"] == "Café des indépendants (salle du haut)"

    change_event(village, public, cancelled=True)
    delete = received(ada, "Delete")[0]
    assert delete["object"]["type"] == "Tombstone"
    assert delete["object"]["formerType"] == "Event"
    status, gone = ada.get(create["object"]["id"])
    assert status == 410 and gone is not None and gone["type"] == "Tombstone"

    status, outbox = ada.get(actor["outbox"])
    # The cancelled rencontre's Create and Update left the outbox with what they said: a
    # server backfilling after following learns only that it was withdrawn.
    assert status == 200 and outbox is not None and outbox["totalItems"] == 1
    status, page = ada.get(outbox["first"])
    assert status == 200 and page is not None
    assert [a["type"] for a in page["orderedItems"]] == ["Delete"]
    assert not ada.refused
    names = [a["object"].get("name", "") for a in ada.received if isinstance(a["object"], dict)]
    assert not any("Réunion" in name for name in names)  # only public rencontres left

    other = add_event(village, "Marché des savoir-faire", Visibility.PUBLIC)
    received(ada, "Create", 2)
    event_id = f"{village.url}/ap/events/{other}"
    assert ada.post(actor["inbox"], {"id": f"{ada.actor_id}/join/1", "type": "Join",
                                     "actor": ada.actor_id, "object": event_id}) == 202
    ignore = received(ada, "Ignore")[0]
    assert ignore["url"] == f"{village.url}/rencontres/{other}"

    assert ada.post(actor["inbox"], {"id": f"{ada.actor_id}/undo/1", "type": "Undo",
                                     "actor": ada.actor_id,
                                     "object": {"id": follow_id, "type": "Follow",
                                                "actor": ada.actor_id,
                                                "object": actor_url}}) == 202
    before = len(ada.received)
    add_event(village, "Après le départ d'Ada", Visibility.PUBLIC)
    status, after = ada.get(actor["outbox"])
    assert after is not None and after["totalItems"] == 3  # published, but to nobody
    assert len(ada.received) == before


def test_unsigned_or_forged_inbox_posts_are_refused(village: NodeProcess,
                                                   ada: FediverseDouble) -> None:
    import requests

    inbox = f"{village.url}/ap/inbox"
    unsigned = requests.post(inbox, json={"type": "Follow", "actor": ada.actor_id,
                                          "object": f"{village.url}/ap/actor"}, timeout=5)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"] == "signature_missing"
    # Signed by ada, but claiming to be someone else.
    status = ada.post(inbox, {"id": "x", "type": "Follow", "actor": "http://127.0.0.1:1/eve",
                              "object": f"{village.url}/ap/actor"})
    assert status == 403
