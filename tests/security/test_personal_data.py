"""Personal data: the export holds everything about a member, deletion leaves nothing but a
tombstone, and no log line ever carries a password, token, private field or private key."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect as sa_inspect

from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    ApiToken,
    Event,
    FeedEntry,
    Invitation,
    Listing,
    Member,
    Role,
    Rsvp,
    Visibility,
)
from node.services import accounts, admissions, invitations, members
from node.services.mail_queue import mail_queue_of
from tests.security.conftest import (
    ADMIN_EMAIL,
    MEMBER_EMAIL,
    PASSWORD,
    all_rows_text,
    login_form,
    session_for,
)

SUBJECT_EMAIL = "zoe.personne@example.org"
PRIVATE_PHONE = "03 88 71 22 33"
# Columns that are not the member's data (keys, counters) or are secrets never exported.
NOT_EXPORTED = {"id", "account_id", "version", "password_hash"}


def _everything(app: Flask) -> Member:
    """Zoé: asked to join with a message, then admitted; every profile field set, shared with
    the network; offers and needs, an address book both ways, answers, an API token."""
    with app.app_context():
        account = admissions.request_membership(
            SUBJECT_EMAIL, "Zoé Ébéniste", PASSWORD, trade="Ébéniste", commune_code="67527",
            message="Message-de-demande : j'aimerais rejoindre le tiers-lieu.")
        assert account is not None
        admissions.admit(account)
        zoe = account.member
        for name, value in {
            "business_name": "Atelier Copeau", "siret": "73282932000074",
            "skills": ["marqueterie", "vernis"], "bio": "Bio-marqueur de Zoé",
            "website": "https://atelier-zoe.example", "languages": ["fr", "de"],
            "contact_email": "contact@zoe-mail.example", "phone": PRIVATE_PHONE,
        }.items():
            setattr(zoe, name, value)
        for group in ("identity", "skills", "about"):
            setattr(zoe, f"visibility_{group}", Visibility.NETWORK.value)
        zoe.listings += [Listing(kind="offer", title="Restauration de commodes",
                                 details="Détails-offre"),
                         Listing(kind="need", title="Local de stockage", details="Détails-besoin")]
        camille = db.session.scalars(db.select(Account).where(
            Account.email == MEMBER_EMAIL)).one().member
        camille.visibility_identity = Visibility.COMMUNITY.value
        db.session.flush()
        members.add_contact(zoe, camille, "Note-de-Zoé sur Camille")
        members.add_contact(camille, zoe, "Note-de-Camille sur Zoé")
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        event = Event(title="Rencontre-du-jeudi", starts_at=starts,
                      ends_at=starts + timedelta(hours=2))
        db.session.add_all([event, Rsvp(event=event, occurrence_at=starts, member=zoe,
                                        status="going", attended=None)])
        db.session.add(ApiToken(account=account, name="tableur", token_hash="f" * 64))
        accounts.record_login(account)
        db.session.commit()
        return zoe


def _column_values(obj: Any) -> dict[str, Any]:
    mapper = sa_inspect(type(obj))
    return {column.key: getattr(obj, column.key) for column in mapper.column_attrs
            if column.key not in NOT_EXPORTED}


def _as_texts(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, datetime):
        return [value.isoformat()]
    return [str(value)]


def test_export_contains_every_piece_of_my_data(make_node: Callable[..., Flask]) -> None:
    app = make_node()
    _everything(app)
    response = session_for(app, SUBJECT_EMAIL).get("/mon-profil/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    exported = json.dumps(response.get_json(), ensure_ascii=False)
    with app.app_context():
        account = db.session.scalars(db.select(Account).where(
            Account.email == SUBJECT_EMAIL)).one()
        zoe = account.member
        rows: list[Any] = [account, zoe, *zoe.listings]
        rows += db.session.scalars(db.select(Rsvp).where(Rsvp.member_id == zoe.id)).all()
        own_book = members.address_book(zoe)
        missing = []
        for row in rows:
            for name, value in _column_values(row).items():
                if value in (None, "", []) or name in ("member_id", "event_id", "guest_name",
                                                       "guest_email", "token_hash"):
                    continue
                for text in _as_texts(value):
                    if text not in exported:
                        missing.append(f"{type(row).__name__}.{name}={text!r}")
        for entry in own_book:
            if entry.note not in exported or entry.contact.uuid not in exported:
                missing.append(f"address book note {entry.note!r}")
        event_uuids = [rsvp.event.uuid for rsvp in zoe_rsvps(zoe)]
        missing += [f"rsvp event {uuid}" for uuid in event_uuids if uuid not in exported]
    assert not missing, missing
    assert "pbkdf2" not in exported and "f" * 64 not in exported  # secrets stay out
    assert "Note-de-Camille sur Zoé" not in exported  # others' private notes stay theirs


def zoe_rsvps(zoe: Member) -> list[Rsvp]:
    return list(db.session.scalars(db.select(Rsvp).where(Rsvp.member_id == zoe.id)))


def test_deleting_my_account_leaves_only_a_tombstone(make_node: Callable[..., Flask]) -> None:
    app = make_node()
    _everything(app)
    with app.app_context():
        zoe = db.session.scalars(db.select(Account).where(
            Account.email == SUBJECT_EMAIL)).one().member
        uuid, listing_uuids = zoe.uuid, [listing.uuid for listing in zoe.listings]
        invitation, _token = invitations.create_invitation(
            "autre@example.org", Role.MEMBER, zoe.account)
        # Zoé had been invited before: the invitation row holds her address.
        db.session.add(Invitation(email=SUBJECT_EMAIL, token_hash="e" * 64,
                                  created_at=datetime.now(UTC) - timedelta(days=9),
                                  expires_at=datetime.now(UTC) + timedelta(days=5),
                                  accepted_at=datetime.now(UTC) - timedelta(days=8)))
        db.session.commit()
        assert db.session.scalars(db.select(FeedEntry).where(
            FeedEntry.record_uuid == uuid)).first() is not None  # she had been shared
    client = session_for(app, SUBJECT_EMAIL)
    response = client.post("/mon-profil/supprimer", data={"confirmation": PASSWORD})
    assert response.status_code == 302
    traces = ("zoe", "Zoé", "Copeau", "73282932000074", "Bio-marqueur", PRIVATE_PHONE,
              "Message-de-demande", "Note-de-", "Détails-offre", uuid, *listing_uuids)
    found = []
    for table, rows in all_rows_text(app).items():
        for row in rows:
            for trace in traces:
                if trace.lower() in row.lower() and not _tombstone(table, row, trace):
                    found.append((table, trace, row[:160]))
    assert not found, found
    # Nor in the database file's free pages (SQLite's secure_delete overwrites them); only
    # the tombstones' uuids stay.
    database = Path(app.instance_path) / "node.db"
    with app.app_context():
        db.engine.dispose()  # every connection closed: the file is complete on disk
    on_disk = database.read_bytes()
    assert [t for t in traces if t.encode() in on_disk and t not in (uuid, *listing_uuids)] == []
    with app.app_context():
        tombstones = db.session.scalars(db.select(FeedEntry).where(
            FeedEntry.record_uuid.in_([uuid, *listing_uuids]),
            FeedEntry.deleted.is_(True))).all()
        assert {entry.record_uuid for entry in tombstones} >= {uuid}
        assert all(entry.envelope["payload"] is None for entry in tombstones)
        assert db.session.scalars(db.select(Account).where(
            Account.email == MEMBER_EMAIL)).one().status == AccountStatus.ACTIVE


def _tombstone(table: str, row: str, trace: str) -> bool:
    """A tombstone keeps the record's uuid, and only that, so copies can forget it."""
    return table == "feed_entry" and '"deleted": true' in row and re.fullmatch(
        r"[0-9a-f-]{36}", trace) is not None and '"payload": null' in row


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("chaleur", "werkzeug", "flask", "node", "directory"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    # SQL statements with their parameters (INFO); DEBUG would add whole result rows, which
    # only an operator debugging SQL by hand ever turns on.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    return caplog


def _mail_link(app: Flask, pattern: str) -> str:
    assert mail_queue_of(app).flush(10)  # account mails leave after the answer
    for path in sorted(Path(app.instance_path, "mail").glob("*"), key=os.path.getmtime,
                       reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",))
        assert body is not None
        found = re.search(pattern, body.get_content())
        if found:
            return found.group(1)
    raise AssertionError(f"no mail matching {pattern}")


def test_logs_never_carry_secrets(make_node: Callable[..., Flask],
                                  all_logs: pytest.LogCaptureFixture) -> None:
    app = make_node(LOG_LEVEL="DEBUG")
    secrets_seen: list[str] = [PASSWORD, PRIVATE_PHONE, PRIVATE_PHONE.replace(" ", "")]
    client = app.test_client()
    assert login_form(client, MEMBER_EMAIL).status_code == 302
    client.post("/connexion", data={"email": MEMBER_EMAIL, "password": "Mauvais-Secret-42"})
    secrets_seen.append("Mauvais-Secret-42")
    member = session_for(app, MEMBER_EMAIL)
    assert member.post("/mon-profil", data={
        "display_name": "Camille Testeuse", "commune_code": "67475", "phone": PRIVATE_PHONE,
        **{f"visibility_{g}": "community" for g in ("identity", "skills", "about")},
        "visibility_contact": "private"}).status_code == 302
    with app.app_context():
        from node.services.community import current_community

        community = current_community()
        assert community is not None
        community.signup_mode = "request"
        db.session.commit()
    join_password = "Mot-De-Passe-Adhesion-9"
    secrets_seen.append(join_password)
    app.test_client().post("/adhesion", data={
        "display_name": "Lou", "email": "lou@example.org", "password": join_password,
        "commune": "67475", "message": "Message-prive-de-Lou"})
    app.test_client().post("/mot-de-passe/oubli", data={"email": MEMBER_EMAIL})
    reset_token = _mail_link(app, r"/mot-de-passe/([^\s/]+)")
    new_password = "Nouveau-Secret-Camille-7"
    secrets_seen += [reset_token, new_password]
    app.test_client().get(f"/mot-de-passe/{reset_token}")
    assert app.test_client().post(f"/mot-de-passe/{reset_token}",
                                  data={"password": new_password}).status_code == 302
    admin = session_for(app, ADMIN_EMAIL)
    admin.post("/admin/invitations", data={"email": "invitee@example.org", "role": "member"})
    invite_token = _mail_link(app, r"/invitation/([^\s/]+)")
    invite_password = "Secret-Invite-Accepte-3"
    secrets_seen += [invite_token, invite_password]
    app.test_client().get(f"/invitation/{invite_token}")
    assert app.test_client().post(f"/invitation/{invite_token}", data={
        "display_name": "Invitée", "password": invite_password}).status_code == 302
    api_token = "jeton-api-secret-0123456789abcdef"
    secrets_seen.append(api_token)
    app.test_client().get("/api/v1/events", headers={"Authorization": f"Bearer {api_token}"})
    app.test_client().post("/federation/inbox", data=b"{}", headers={
        "Authorization": f"Bearer {api_token}", "Signature": f"sig=:{api_token}:"})
    logged = "\n".join(f"{record.name} {record.getMessage()}" for record in all_logs.records)
    assert "/mot-de-passe/" in logged and "/invitation/" in logged  # the flows were logged
    assert "UPDATE member SET" in logged  # and so was the SQL
    leaked = [secret for secret in secrets_seen if secret in logged]
    assert not leaked, leaked


def test_node_init_prints_no_secret(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    admin_password = "Secret-Admin-Init-42"
    env = {**os.environ, "CHALEUR_INSTANCE_PATH": str(instance), "CHALEUR_LOG_LEVEL": "DEBUG",
           "CHALEUR_PUBLIC_URL": "http://127.0.0.1:5000", "CHALEUR_ADMIN_PASSWORD": admin_password,
           "CHALEUR_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    result = subprocess.run(
        [sys.executable, "-m", "node", "init", "--name", "Tiers-lieu de Sparsbach",
         "--communes", "67475", "--admin-email", "admin@example.org"],
        env=env, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    [pem] = list((instance / "keys").glob("*.pem"))
    body_lines = [line for line in pem.read_text().splitlines()
                  if line and not line.startswith("-----")]
    assert body_lines
    secret_key = (instance / "secret_key").read_text().strip()
    feed_secret = [p for p in instance.iterdir() if "feed" in p.name]
    for line in body_lines:
        assert line not in output
    assert admin_password not in output and secret_key not in output
    for path in feed_secret:
        assert path.read_bytes().hex() not in output
    assert "empreinte" in output  # the fingerprint (public) is what is shown
