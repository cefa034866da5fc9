"""An answer sent to another village's question comes back soon, not at the hourly refresh.

Both villages refresh their network copy once an hour. Bruno (Westhouse) answers Aurélie's
question (Sparsbach) at home: his page shows the answer at once as waiting; Sparsbach
accepts it and shares the question again; Westhouse, told by the signed answer that the
notice was accepted, refreshes its copy within FEDERATION_NETWORK_SOON seconds, and the
answer shows there with the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

from node.extensions import db
from node.models import NetworkCopy
from tests.federation_e2e.conftest import NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_network_questions import (
    SPARS,
    WEST,
    Network,
    _account,
    _admitted_and_listed,
    _pays_question,
    _post,
    _signed_in,
)

pytestmark = pytest.mark.slow
ANSWER = "Un tableur suffit au début. SOONANSWER-7802"


@pytest.fixture(scope="module")
def hourly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    root = tmp_path_factory.mktemp("network-answer-soon")
    pays = DirectoryProcess(root)
    pays.init()
    pays.start()
    nodes = []
    for node_id, name, commune in ((SPARS, "Tiers-lieu de Sparsbach", "67475"),
                                   (WEST, "Tiers-lieu de Westhouse-Marmoutier", "67527")):
        node = NodeProcess(root, node_id, FEDERATION_NETWORK_INTERVAL=3600,
                           FEDERATION_NETWORK_SOON=1)
        node.init(name, commune)
        node.cli("federation", "join", "--directory", pays.url, "--fingerprint",
                 pays.fingerprint)
        node.start()
        pays.cli("nodes", "admit", node_id, "--by", "Léa")
        nodes.append(node)

    def listed(node: NodeProcess) -> bool:
        node.cli("federation", "pull-network", check=False)  # the worker pulls hourly
        return _admitted_and_listed(node)

    for node in nodes:
        wait_for(partial(listed, node), timeout=30)
    try:
        yield Network(pays, nodes[0], nodes[1], mailbox=None)  # type: ignore[arg-type]
    finally:
        for node in nodes:
            node.close()
        pays.close()


def _copied_answers(node: NodeProcess) -> list[str]:
    with node.app().app_context():
        data = db.session.get(NetworkCopy, 1).data or {}
        db.session.remove()
    return [answer["text"] for question in data.get("questions", [])
            for answer in question["payload"].get("answers", [])]


def _pulled(node: NodeProcess, question_id: str) -> bool:
    """Pull the network copy by hand (the worker pulls hourly; a busy Pays may answer 500
    once) and say whether it holds the question."""
    node.cli("federation", "pull-network", check=False)
    with node.app().app_context():
        row = db.session.get(NetworkCopy, 1)
        data = (row.data if row is not None else None) or {}
        db.session.remove()
    return any(question["id"] == question_id for question in data.get("questions", []))


def test_an_accepted_answer_soon_shows_in_the_network_copy(hourly: Network) -> None:
    asker = _signed_in(hourly.spars, _account(hourly.spars, "Aurélie Sparsbach"))
    asked = _post(asker, hourly.spars.url + "/questions", title="Quel logiciel de devis ?",
                  audience="network")
    question_id = asked.headers["Location"].rsplit("/", 1)[1]
    wait_for(partial(_pays_question, hourly.pays), timeout=20)
    wait_for(partial(_pulled, hourly.west, question_id), timeout=30)  # in Westhouse's copy
    answerer = _signed_in(hourly.west, _account(hourly.west, "Bruno Westhouse"))
    page = f"{hourly.west.url}/reseau/questions/{question_id}"
    assert _post(answerer, page, body=ANSWER).status_code == 302
    assert "SOONANSWER-7802" in answerer.get(page, timeout=10).text  # waiting, or arrived
    wait_for(lambda: _copied_answers(hourly.west) == [ANSWER], timeout=30)
    shown = answerer.get(page, timeout=10).text
    assert shown.count("SOONANSWER-7802") == 1 and "village de la question" not in shown
