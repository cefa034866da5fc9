"""CSV exports for funders and the CSV member import.

The import takes two steps: the upload is checked and shown as a preview (nothing written),
the file is kept server-side under a random id tied to the admin who sent it, and only the
confirmation POST writes the members, all in one transaction, after checking the file again.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import InputRequired, Optional

from node.admin import bp
from node.auth.session import staff_required
from node.extensions import db
from node.services import cooperation, spreadsheets
from node.services.accounts import AccountError
from node.services.community import commune_name
from node.services.figures import PARIS, day_range
from webui.forms import DayField, Form

IMPORT_MAX_BYTES = 1024 * 1024
HEADER_LABELS = {
    "display_name": _l("Nom"), "trade": _l("Métier"), "business_name": _l("Entreprise"),
    "siret": _l("SIRET"), "skills": _l("Compétences"), "commune_code": _l("Commune"),
    "email": _l("E-mail"), "phone": _l("Téléphone"), "website": _l("Site"), "bio": _l("Bio"),
    "languages": _l("Langues"),
}


class RangeForm(Form):
    """The period of the attendance exports (Paris calendar days, both included)."""

    class Meta:
        csrf = False  # a GET filter: it changes nothing

    start = DayField(_l("Du"), validators=[Optional()])
    end = DayField(_l("Au"), validators=[Optional()])


class UploadForm(Form):
    file = FileField(_l("Fichier CSV des membres"),
                     validators=[FileRequired(_l("Choisissez un fichier CSV."))])


class ConfirmForm(Form):
    upload = HiddenField(validators=[InputRequired()])


def _default_range() -> tuple[date, date]:
    """The current calendar year: what funders' yearly reports ask for."""
    today = datetime.now(PARIS).date()
    return date(today.year, 1, 1), date(today.year, 12, 31)


def _requested_range() -> tuple[RangeForm, date, date]:
    form = RangeForm(request.args, meta={"csrf": False})
    first, last = _default_range()
    if request.args and not form.validate():
        return form, first, last
    first = form.start.data or first
    last = form.end.data or last
    if last < first:
        form.end.errors = [_("La date de fin précède la date de début.")]
    return form, first, last


def _csv_response(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # personal data: no copies in caches
    return response


def _range_or_400() -> tuple[datetime, datetime, str]:
    form, first, last = _requested_range()
    if form.errors:
        abort(400, description=_("Période invalide : dates au format AAAA-MM-JJ, début avant "
                                 "fin."))
    start, end = day_range(first, last)
    return start, end, f"{first.isoformat()}_{last.isoformat()}"


@bp.get("/exports")
@staff_required
def exports() -> ResponseReturnValue:
    form, first, last = _requested_range()
    if not form.start.data:
        form.start.data = first
    if not form.end.data:
        form.end.data = last
    query = {"start": first.isoformat(), "end": last.isoformat()}
    status = 422 if form.errors else 200
    worked = cooperation.monthly_counts(*day_range(first, last)) if not form.errors else []
    return render_template("node/admin/exports.html", form=form, query=query,
                           cooperations=worked), status


@bp.get("/export/membres.csv")
@staff_required
def export_members() -> ResponseReturnValue:
    today = datetime.now(PARIS).date().isoformat()
    return _csv_response(spreadsheets.members_csv(), f"membres-{today}.csv")


@bp.get("/export/presences.csv")
@staff_required
def export_attendance() -> ResponseReturnValue:
    start, end, label = _range_or_400()
    return _csv_response(spreadsheets.attendance_csv(start, end), f"presences-{label}.csv")


@bp.get("/export/presences-par-mois.csv")
@staff_required
def export_attendance_monthly() -> ResponseReturnValue:
    start, end, label = _range_or_400()
    return _csv_response(spreadsheets.attendance_monthly_csv(start, end),
                         f"presences-par-mois-{label}.csv")


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _preview_page(preview: spreadsheets.ImportPreview, upload_id: str,
                  status: int) -> ResponseReturnValue:
    fields = list(dict.fromkeys(["display_name", "email", *preview.columns.values()]))
    return render_template(
        "node/admin/import_preview.html", preview=preview, fields=fields,
        labels=HEADER_LABELS, confirm=ConfirmForm(upload=upload_id),
        commune_name=commune_name), status


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_members() -> ResponseReturnValue:
    form = UploadForm()
    if form.validate_on_submit():
        try:
            data = form.file.data.read(IMPORT_MAX_BYTES + 1)
        finally:
            form.file.data.close()  # a large upload is a temporary file: release it now
        if len(data) > IMPORT_MAX_BYTES:
            form.file.errors.append(_("Fichier trop volumineux (1 Mo au plus)."))
        else:
            text = spreadsheets.decode_upload(data)
            try:
                preview = spreadsheets.parse_member_file(text)
            except spreadsheets.ImportRefused as error:
                form.file.errors.append(str(error))
            else:
                upload_id = spreadsheets.store_upload(_upload_folder(), text, current_user.id)
                return _preview_page(preview, upload_id,
                                     200 if preview.is_valid else 422)
    status = 422 if form.errors else 200
    return render_template("node/admin/import.html", form=form), status


@bp.post("/import/confirmer")
@staff_required
def import_members_confirm() -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, description=_("Confirmation incomplète : renvoyez le fichier."))
    text = spreadsheets.load_upload(_upload_folder(), form.upload.data, current_user.id)
    if text is None:
        flash(_("Cet envoi a expiré ou n'existe pas : renvoyez le fichier."), "warning")
        return redirect(url_for("admin.import_members"))
    try:
        preview = spreadsheets.parse_member_file(text)  # checked again: accounts may exist now
    except spreadsheets.ImportRefused as error:
        flash(str(error), "error")
        return redirect(url_for("admin.import_members"))
    if not preview.is_valid:
        return _preview_page(preview, form.upload.data, 422)
    try:
        created = spreadsheets.apply_import(preview)
    except AccountError as error:
        db.session.rollback()
        flash(_("Rien n'a été importé : %(reason)s", reason=str(error)), "error")
        return redirect(url_for("admin.import_members"))
    db.session.commit()
    spreadsheets.discard_upload(_upload_folder(), form.upload.data)
    flash(_("%(n)s membres importés.", n=len(created)), "success")
    return redirect(url_for("admin.import_members"))
