"""CSV files for the people who fund and run the community: exports and the member import.

Format choice: UTF-8 with a byte-order mark and ``;`` as separator. A French Excel opens such
a file by double-click with accents intact and one value per column (it expects ``;`` because
``,`` is the decimal separator in French); LibreOffice and Python's ``csv`` read it as well.

Every exported cell that a spreadsheet could take for a formula (``=``, ``+``, ``-``, ``@``,
tab, carriage return at the start) is prefixed with ``'`` (CSV formula injection, see
:mod:`webui.spreadsheet_cells`): a member who types ``=HYPERLINK(...)`` as their trade must
not run anything on the funder's computer.

The import is all or nothing: a file with any invalid row writes no member; the preview names
the rows to fix. Half-imported spreadsheets are harder to repair than a file fixed and re-sent.
A cell holding an invisible control character is an error like any invalid value
(:mod:`webui.unsafe_text`); a cell that would run as a formula is imported as plain text but
flagged in the preview, so the animator sees it before anything is stored.
No Flask request code lives here: the views and the CLI both call these functions.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

import communes
from node.extensions import db
from node.models import Account, AccountStatus, Member, Role
from node.services import accounts
from node.services.community import commune_name
from node.services.community_settings import resolve_commune
from node.services.figures import PARIS, monthly_figures, occurrence_figures
from node.services.member_fields import FieldInvalid, clean_email, clean_member_fields
from webui.spreadsheet_cells import may_run_as_formula, neutralise
from webui.unsafe_text import first_unsafe, unsafe_message, without_unsafe

SEPARATOR = ";"
MAX_IMPORT_ROWS = 2000
UPLOAD_LIFETIME_SECONDS = 3600
UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")

ProgressCallback = Callable[[int, int], None]  # (rows done, rows in all)

# Folded header (accents, case and spaces ignored) -> member field. French first, English too.
HEADER_SYNONYMS: dict[str, str] = {}
for _field, _names in {
    "display_name": ("nom", "name", "nom complet", "full name", "prenom nom", "nom prenom"),
    "trade": ("metier", "trade", "profession", "activite", "occupation"),
    "business_name": ("entreprise", "business", "business name", "societe", "raison sociale",
                      "company", "structure"),
    "siret": ("siret", "n siret", "numero siret"),
    "skills": ("competences", "skills", "savoir-faire"),
    "commune_code": ("commune", "code insee", "insee", "ville", "town", "municipality"),
    "email": ("email", "e-mail", "courriel", "mail", "adresse e-mail", "adresse email"),
    "phone": ("telephone", "tel", "phone", "portable", "mobile"),
    "website": ("site", "site web", "site internet", "website", "web", "url"),
    "bio": ("bio", "presentation", "description", "about"),
    "languages": ("langues", "languages", "langue"),
}.items():
    for _name in _names:
        HEADER_SYNONYMS[_name] = _field


class ImportRefused(ValueError):
    """The file cannot be imported at all (no header, no e-mail column, too many rows...)."""


# ---------------------------------------------------------------- writing

def write_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """UTF-8 with BOM, ``;``-separated, CRLF lines, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _paris_date(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%d")


def _label(labels: dict[Any, Any], kind: type[Any], value: str) -> str:
    """The French word people read for a stored role or status (the value itself if
    unknown, rather than an empty cell)."""
    try:
        return str(labels[kind(value)])
    except (ValueError, KeyError):
        return value


def members_csv() -> bytes:
    """Every account and its profile, for the admins' own records (nothing is filtered)."""
    header = [_("Nom"), _("Métier"), _("Entreprise"), _("Commune"), _("Compétences"),
              _("E-mail"), _("Téléphone"), _("Rôle"), _("Statut"), _("Inscription")]
    members = db.session.scalars(
        db.select(Member).join(Account).order_by(Member.display_name, Member.id)).all()
    rows = (
        [m.display_name, m.trade, m.business_name, commune_name(m.commune_code),
         ", ".join(m.skills or []), m.account.email, m.phone, _label(accounts.ROLE_LABELS,
                                                                     Role, m.account.role),
         _label(accounts.STATUS_LABELS, AccountStatus, m.account.status),
         _paris_date(m.joined_at)]
        for m in members
    )
    return write_csv(header, rows)


def attendance_csv(start: datetime, end: datetime) -> bytes:
    """One line per occurrence of a rencontre in [start, end)."""
    header = [_("Date"), _("Heure"), _("Rencontre"), _("Lieu"), _("Capacité"), _("Inscrits"),
              _("Liste d'attente"), _("Présents"), _("Invités présents")]
    rows = (
        [_paris_date(row.starts_at), row.starts_at.astimezone(PARIS).strftime("%H:%M"),
         row.event.title, row.event.venue.name if row.event.venue else "",
         "" if row.capacity is None else row.capacity, row.going, row.waitlisted,
         row.attended, row.guests]
        for row in occurrence_figures(start, end)
    )
    return write_csv(header, rows)


def attendance_monthly_csv(start: datetime, end: datetime) -> bytes:
    """One line per Paris calendar month having a rencontre or a « mise en relation
    réussie » in [start, end)."""
    header = [_("Mois"), _("Rencontres"), _("Présences"), _("Membres distincts présents"),
              _("Invités présents"), _("Mises en relation réussies")]
    rows = ([m.month, m.rencontres, m.attendance, m.distinct_members, m.guests, m.cooperations]
            for m in monthly_figures(start, end))
    return write_csv(header, rows)


# ---------------------------------------------------------------- reading

def decode_upload(data: bytes) -> str:
    """Text of an uploaded spreadsheet: UTF-8 (with or without BOM), else Windows/Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # what Excel writes on a French Windows
    except UnicodeDecodeError:
        return data.decode("latin-1")


def detect_separator(text: str) -> str:
    """``;`` or ``,``, whichever the header line uses more."""
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    return ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","


def header_field(name: str) -> str | None:
    """The member field a column header means, or None for a column we do not know."""
    folded = " ".join(communes.fold(name).replace("_", " ").replace(".", " ").split())
    return HEADER_SYNONYMS.get(folded)


@dataclass
class ImportRow:
    """One data row: its line number in the file, the raw cells, clean values, errors (the
    file cannot be imported) and warnings (imported, but worth a look)."""

    line: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return str(self.values.get("email", ""))


@dataclass
class ImportPreview:
    columns: dict[str, str]  # header as written -> field
    ignored_columns: list[str]
    rows: list[ImportRow]

    @property
    def rows_with_errors(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.rows_with_errors

    @property
    def formula_cells(self) -> int:
        return sum(len(row.warnings) for row in self.rows)


def _read_table(text: str) -> tuple[list[str], list[list[str]]]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportRefused(_("Le fichier est vide."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_separator(text))
    try:
        table = [row for row in reader]
    except csv.Error as error:
        raise ImportRefused(_("Fichier CSV illisible : %(reason)s", reason=str(error))) from error
    header, body = table[0], [row for row in table[1:] if any(cell.strip() for cell in row)]
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportRefused(_("%(n)s lignes au plus par import.", n=MAX_IMPORT_ROWS))
    return header, body


def _map_columns(header: list[str]) -> tuple[dict[int, str], dict[str, str], list[str]]:
    by_index: dict[int, str] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        target = header_field(name)
        if target is None or target in by_index.values():
            if name.strip():
                ignored.append(name.strip())
            continue
        by_index[index] = target
        columns[name.strip()] = target
    labels = {"display_name": _("nom"), "email": _("e-mail")}
    missing = [label for name, label in labels.items() if name not in by_index.values()]
    if missing:
        raise ImportRefused(_("Colonnes obligatoires absentes : %(names)s. Colonnes reconnues : "
                              "nom, métier, entreprise, siret, compétences, commune, email, "
                              "téléphone, site, bio, langues.", names=", ".join(missing)))
    return by_index, columns, ignored


def _screen_cells(row: ImportRow) -> None:
    """Refuse cells with invisible control characters; flag those a spreadsheet would run.

    A refused cell is shown without its invisible characters: a bidirectional override
    would otherwise reorder the preview itself.
    """
    for name, text in row.raw.items():
        char = first_unsafe(text)
        if char is not None:
            row.errors[name] = unsafe_message(char)
            row.raw[name] = without_unsafe(text)
            row.values.pop(name, None)
        elif may_run_as_formula(text):
            row.warnings[name] = _("Commence par « %(start)s » : un tableur y verrait une "
                                   "formule. Enregistrée comme du texte.", start=text[0])


def _clean_row(row: ImportRow) -> None:
    raw = dict(row.raw)
    email_text = raw.pop("email", "")
    commune_text = raw.get("commune_code", "").strip()
    if commune_text:
        commune = resolve_commune(commune_text)
        raw["commune_code"] = commune.code if commune else commune_text
    cleaned, errors = clean_member_fields(raw)
    if errors.get("commune_code"):
        errors["commune_code"] = _("Commune inconnue : « %(value)s » (code INSEE ou nom exact).",
                                   value=commune_text)
    row.values.update(cleaned)
    row.errors.update(errors)
    try:
        email = clean_email(email_text).lower()
    except FieldInvalid as error:
        row.errors["email"] = str(error)
        return
    if not email:
        row.errors["email"] = _("L'adresse e-mail est obligatoire.")
    elif accounts.find_account(email) is not None:
        row.errors["email"] = _("Un compte existe déjà avec cette adresse.")
    row.values["email"] = email


def parse_member_file(data: bytes | str,
                      progress: ProgressCallback | None = None) -> ImportPreview:
    """Read and check a member spreadsheet without writing anything."""
    text = data if isinstance(data, str) else decode_upload(data)
    header, body = _read_table(text)
    by_index, columns, ignored = _map_columns(header)
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(body, start=1):
        raw = {target: (cells[index] if index < len(cells) else "").strip()
               for index, target in by_index.items()}
        row = ImportRow(line=number + 1, raw=raw)
        _clean_row(row)
        _screen_cells(row)
        if row.email and "email" not in row.errors:
            if row.email in seen:
                row.errors["email"] = _("Adresse déjà présente à la ligne %(line)s du fichier.",
                                        line=seen[row.email])
            else:
                seen[row.email] = row.line
        rows.append(row)
        if progress:
            progress(number, len(body))
    return ImportPreview(columns=columns, ignored_columns=ignored, rows=rows)


def apply_import(preview: ImportPreview,
                 progress: ProgressCallback | None = None) -> list[Member]:
    """Create every member of a valid preview in one transaction; nothing if any row fails.

    Flushed, not committed: the caller commits when this returns and rolls back when it
    raises, so a late failing row leaves nothing.

    Imported people get an active account without a password (they set one through an
    invitation or a password reset) and the conservative default visibilities.
    """
    if not preview.is_valid:
        raise ImportRefused(_("Le fichier contient des erreurs : rien n'a été importé."))
    created: list[Member] = []
    for number, row in enumerate(preview.rows, start=1):
        values = dict(row.values)
        email = values.pop("email")
        account = accounts.create_account(email, values.pop("display_name"), None,
                                          role=Role.MEMBER, status=AccountStatus.ACTIVE)
        member = account.member
        for name, value in values.items():
            setattr(member, name, value)
        if not member.contact_email:
            member.contact_email = email
        created.append(member)
        if progress:
            progress(number, len(preview.rows))
    db.session.flush()
    return created


# ---------------------------------------------------------------- pending uploads

def store_upload(folder: Path, text: str, owner_id: int) -> str:
    """Keep an uploaded file until the admin confirms it; returns an unguessable id.

    Files hold personal data: they are private to the node's user (0600), tied to the account
    that sent them, and removed on confirmation or after an hour.
    """
    folder.mkdir(parents=True, exist_ok=True)
    purge_uploads(folder)
    upload_id = secrets.token_urlsafe(32)
    path = folder / f"{upload_id}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"owner": owner_id, "text": text}, handle)
    return upload_id


def load_upload(folder: Path, upload_id: str, owner_id: int) -> str | None:
    """The stored text, or None if the id is malformed, expired, or someone else's."""
    if not UPLOAD_ID.match(upload_id or ""):
        return None
    path = folder / f"{upload_id}.json"
    try:
        if time.time() - path.stat().st_mtime > UPLOAD_LIFETIME_SECONDS:
            path.unlink(missing_ok=True)
            return None
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stored.get("owner") != owner_id:
        return None
    return str(stored.get("text", ""))


def discard_upload(folder: Path, upload_id: str) -> None:
    if UPLOAD_ID.match(upload_id or ""):
        (folder / f"{upload_id}.json").unlink(missing_ok=True)


def purge_uploads(folder: Path) -> None:
    """Remove stored uploads older than their lifetime."""
    limit = time.time() - UPLOAD_LIFETIME_SECONDS
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue
