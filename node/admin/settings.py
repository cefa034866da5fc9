"""Community settings, venues and extra communes.

The views only parse forms and render; the rules (known communes, centroid defaults, archive
rather than delete) live in :mod:`node.services.community_settings` and
:mod:`node.services.venues`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    FloatField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from node.admin import bp
from node.auth.session import admin_required, staff_required
from node.extensions import db
from node.models import SignupMode, Venue
from node.services import community_settings, venues
from node.services.community import commune_name, current_community
from node.services.member_fields import FieldInvalid, clean_email, clean_phone
from webui.forms import Form


def _check_with(cleaner: Any) -> Any:
    """A WTForms validator from a member_fields cleaner, so messages match everywhere."""

    def check(form: Form, field: Any) -> None:
        try:
            field.data = cleaner(field.data or "")
        except FieldInvalid as error:
            raise ValidationError(str(error)) from error

    return check


class CommunityForm(Form):
    name = StringField(_l("Nom de la communauté"), validators=[
        InputRequired(_l("Le nom est obligatoire.")), Length(max=120)])
    description = TextAreaField(_l("Présentation"), validators=[Length(max=4000)])
    communes = StringField(_l("Communes couvertes"), validators=[
        InputRequired(_l("Indiquez au moins une commune."))])
    contact_name = StringField(_l("Personne à contacter"), validators=[Length(max=120)])
    contact_role = StringField(_l("Sa fonction"), validators=[Length(max=120)])
    contact_email = StringField(_l("E-mail de contact"),
                                validators=[Length(max=254), _check_with(clean_email)])
    contact_phone = StringField(_l("Téléphone de contact"),
                                validators=[_check_with(clean_phone)])
    signup_mode = RadioField(_l("Adhésion"), choices=[
        SelectChoice(SignupMode.REQUEST.value,
                     _l("Sur demande : chacun peut demander, un administrateur valide")),
        SelectChoice(SignupMode.INVITATION.value, _l("Sur invitation seulement")),
    ], validators=[InputRequired()])

    def validate_communes(self, field: StringField) -> None:
        codes, unknown = community_settings.parse_commune_list(field.data or "")
        if unknown:
            raise ValidationError(_("Communes inconnues : %(names)s. Ajoutez-les d'abord dans "
                                    "« Communes manquantes ».", names=", ".join(unknown)))
        if not codes:
            raise ValidationError(_("Indiquez au moins une commune."))
        field.data = ", ".join(codes)


class ExtraCommuneForm(Form):
    code = StringField(_l("Code INSEE"), validators=[InputRequired(_l("Le code est obligatoire."))])
    name = StringField(_l("Nom"), validators=[InputRequired(_l("Le nom est obligatoire.")),
                                              Length(max=120)])
    latitude = FloatField(_l("Latitude"), validators=[
        InputRequired(_l("Nombre décimal, ex. 48.77")),
        NumberRange(-90, 90, _l("Latitude entre -90 et 90."))])
    longitude = FloatField(_l("Longitude"), validators=[
        InputRequired(_l("Nombre décimal, ex. 7.25")),
        NumberRange(-180, 180, _l("Longitude entre -180 et 180."))])


class VenueForm(Form):
    name = StringField(_l("Nom du lieu"), validators=[
        InputRequired(_l("Le nom est obligatoire.")), Length(max=120)])
    address = StringField(_l("Adresse"), validators=[Length(max=255)])
    commune_code = StringField(_l("Commune (code INSEE ou nom exact)"), validators=[
        InputRequired(_l("La commune est obligatoire."))])
    latitude = FloatField(_l("Latitude"), validators=[
        Optional(), NumberRange(-90, 90, _l("Latitude entre -90 et 90."))])
    longitude = FloatField(_l("Longitude"), validators=[
        Optional(), NumberRange(-180, 180, _l("Longitude entre -180 et 180."))])
    capacity = IntegerField(_l("Capacité (personnes)"), validators=[
        Optional(), NumberRange(min=0, message=_l("La capacité ne peut pas être négative."))])
    accessibility = TextAreaField(_l("Accessibilité"), validators=[Length(max=2000)])

    def validate_commune_code(self, field: StringField) -> None:
        commune = community_settings.resolve_commune(field.data or "")
        if commune is None:
            raise ValidationError(_("Commune inconnue : indiquez son code INSEE (ex. 67475)."))
        field.data = commune.code


def _posted() -> bool:
    return request.method == "POST"


def _attach_error(form: Form, name: str, message: str) -> None:
    getattr(form, name).errors = [*getattr(form, name).errors, message]


@bp.route("/communaute", methods=["GET", "POST"])
@admin_required
def community() -> ResponseReturnValue:
    record = current_community()
    if record is None:
        abort(404)
    form = CommunityForm(obj=record if not _posted() else None)
    if not _posted():
        form.communes.data = ", ".join(record.communes or [])
    if form.validate_on_submit():
        codes, _unknown = community_settings.parse_commune_list(form.communes.data)
        values = community_settings.CommunityValues(
            name=form.name.data.strip(), description=(form.description.data or "").strip(),
            commune_codes=codes, contact_name=(form.contact_name.data or "").strip(),
            contact_role=(form.contact_role.data or "").strip(),
            contact_email=form.contact_email.data or "",
            contact_phone=form.contact_phone.data or "",
            signup_mode=SignupMode(form.signup_mode.data))
        try:
            community_settings.update_community(record, values)
        except community_settings.SettingsInvalid as error:
            db.session.rollback()
            _attach_error(form, error.field, str(error))
        else:
            db.session.commit()
            flash(_("Paramètres de la communauté enregistrés."), "success")
            return redirect(url_for("admin.community"))
    names = [commune_name(code) for code in record.communes or []]
    status = 422 if form.errors else 200
    return render_template("node/admin/community.html", form=form, commune_names=names), status


@bp.route("/communes", methods=["GET", "POST"])
@admin_required
def communes() -> ResponseReturnValue:
    form = ExtraCommuneForm()
    if form.validate_on_submit():
        try:
            added = community_settings.add_extra_commune(
                form.code.data, form.name.data, form.latitude.data, form.longitude.data)
        except community_settings.SettingsInvalid as error:
            db.session.rollback()
            _attach_error(form, error.field, str(error))
        else:
            db.session.commit()
            flash(_("Commune %(name)s (%(code)s) ajoutée.", name=added.name, code=added.code),
                  "success")
            return redirect(url_for("admin.communes"))
    status = 422 if form.errors else 200
    return render_template("node/admin/communes.html", form=form,
                           extra=community_settings.list_extra_communes()), status


@bp.get("/lieux", endpoint="venues")
@staff_required
def venues_list() -> ResponseReturnValue:
    return render_template("node/admin/venues.html", venues=venues.list_venues(),
                           commune_name=commune_name)



def _venue_values(form: VenueForm) -> venues.VenueValues:
    return venues.VenueValues(
        name=form.name.data or "", address=form.address.data or "",
        commune_code=form.commune_code.data or "", latitude=form.latitude.data,
        longitude=form.longitude.data, capacity=form.capacity.data,
        accessibility=form.accessibility.data or "")


def _venue_form_page(form: VenueForm, venue: Venue | None) -> ResponseReturnValue:
    if form.validate_on_submit():
        try:
            saved = venues.save_venue(venue, _venue_values(form))
        except venues.VenueInvalid as error:
            db.session.rollback()
            _attach_error(form, error.field, str(error))
        else:
            db.session.commit()
            flash(_("Lieu « %(name)s » enregistré.", name=saved.name), "success")
            return redirect(url_for("admin.venues"))
    status = 422 if form.errors else 200
    return render_template("node/admin/venue_form.html", form=form, venue=venue), status


@bp.route("/lieux/nouveau", methods=["GET", "POST"])
@staff_required
def venue_new() -> ResponseReturnValue:
    form = VenueForm()
    if not _posted():
        record = current_community()
        if record and record.communes:
            form.commune_code.data = record.communes[0]
    return _venue_form_page(form, None)


def _venue_or_404(venue_id: int) -> Venue:
    venue = db.session.get(Venue, venue_id)
    if venue is None:
        abort(404)
    return venue


@bp.route("/lieux/<int:venue_id>", methods=["GET", "POST"])
@staff_required
def venue_edit(venue_id: int) -> ResponseReturnValue:
    venue = _venue_or_404(venue_id)
    form = VenueForm(obj=venue if not _posted() else None)
    return _venue_form_page(form, venue)


@bp.post("/lieux/<int:venue_id>/archiver")
@staff_required
def venue_archive(venue_id: int) -> ResponseReturnValue:
    venue = _venue_or_404(venue_id)
    name = venue.name
    outcome = venues.remove_venue(venue)
    db.session.commit()
    if outcome is venues.Removal.ARCHIVED:
        flash(_("Lieu « %(name)s » archivé : des rencontres l'ont utilisé.", name=name), "success")
    else:
        flash(_("Lieu « %(name)s » supprimé.", name=name), "success")
    return redirect(url_for("admin.venues"))


@bp.post("/lieux/<int:venue_id>/restaurer")
@staff_required
def venue_restore(venue_id: int) -> ResponseReturnValue:
    venue = _venue_or_404(venue_id)
    venues.restore_venue(venue)
    db.session.commit()
    flash(_("Lieu « %(name)s » de nouveau proposé.", name=venue.name), "success")
    return redirect(url_for("admin.venues"))
