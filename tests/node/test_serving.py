"""The production server's app (``create_app(with_cli=False)`` and its federation worker)
carries what answering pages needs: the federation stack waits for federation.

Checked in a fresh interpreter, since this test process has imported everything already.
The probe serves the pages people use (a member signed in, searching the directory), runs
one round of the worker of a node that has not joined a directory, and lists what it has
imported; then it asks for the node document, the first federation request, which must load
the signing stack and answer signed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

from node.extensions import db
from node.peering.identity import create_identity
from tests.conftest import MEMBER_EMAIL, PASSWORD, build_node

ROOT = Path(__file__).resolve().parents[2]
#: Imported only when needed: signing and verification, the HTTP client, schema validation
#: of invalid data, iCalendar export, migrations.
LATER = ["alembic", "cryptography", "http_message_signatures", "icalendar", "jsonschema",
         "requests"]

PROBE = r"""
import json, sys
from node import create_app
from node.sharing.worker import FederationWorker

later = json.loads(sys.argv[1])
loaded = lambda: sorted(name for name in later if name in sys.modules)
app = create_app(with_cli=False)
FederationWorker(app).run_round()
client = app.test_client()
pages = {}
for path in ("/", "/rencontres", "/connexion", "/api/v1/events", "/reseau"):
    pages[path] = client.get(path).status_code
signed_in = client.post("/connexion", data={"email": sys.argv[2], "password": sys.argv[3]})
pages["sign-in"] = signed_in.status_code
for path in ("/membres?q=camille", "/membres", "/mon-profil"):
    pages[path] = client.get(path).status_code
before = loaded()
document = client.get("/.well-known/chaleur-node")
print(json.dumps({"pages": pages, "before": before, "after": loaded(),
                  "document": document.status_code,
                  "signed": "Signature" in document.headers}))
"""


def probe(app: Flask) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CHALEUR_INSTANCE_PATH": app.instance_path,
           "CHALEUR_PUBLIC_URL": "http://node.test", "CHALEUR_WTF_CSRF_ENABLED": "false",
           "CHALEUR_LOG_LEVEL": "WARNING"}
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(LATER), MEMBER_EMAIL,
                             PASSWORD], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_pages_and_an_unjoined_worker_do_not_load_the_federation_stack(tmp_path: Path) -> None:
    app = build_node(tmp_path)
    with app.app_context():
        create_identity("sparsbach")
        db.session.commit()
        db.engine.dispose()
    answer = probe(app)
    assert answer["pages"] == {"/": 200, "/rencontres": 200, "/connexion": 200,
                               "/api/v1/events": 200, "/reseau": 302, "sign-in": 302,
                               "/membres?q=camille": 200, "/membres": 200, "/mon-profil": 200}
    assert answer["before"] == []
    # The first federation request loads what it needs, and is answered signed.
    assert answer["document"] == 200 and answer["signed"] is True
    assert {"cryptography", "http_message_signatures"} <= set(answer["after"])  # type: ignore[arg-type]
