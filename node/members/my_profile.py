"""My profile: edit fields and visibility, offers and needs, export my data, leave the node."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from node.extensions import db
from node.members import bp
from node.members.forms import (
    LISTING_KIND_LABELS,
    LISTING_STATE_LABELS,
    PROFILE_FIELDS,
    DeleteAccountForm,
    ListingForm,
    ProfileForm,
)
from node.members.views import current_member
from node.models import FieldGroup, Listing, ListingState, Member, Visibility
from node.models.member import LISTING_DAYS
from node.services.accounts import normalise_email, password_matches
from node.services.community import commune_name
from node.services.listings import (
    clean_listing,
    own_listing,
    post_listing,
    set_state,
    skill_labels,
)
from node.services.listings import edit_listing as change_listing
from node.services.listings import remove_listing as delete_listing
from node.services.matching import describe_reason, matches_for
from node.services.member_fields import clean_member_fields
from node.services.members import (
    MemberError,
    commune_code_from_input,
    delete_member,
    is_last_admin,
    nearby_communes,
    update_profile,
)
from node.services.personal_data import export_member_data
from node.services.visibility import Viewer
from webui.i18n import current_language


def _profile_form(member: Member) -> ProfileForm:
    form = ProfileForm()
    if not form.is_submitted():
        for name in PROFILE_FIELDS:
            value = getattr(member, name)
            getattr(form, name).data = ", ".join(value) if isinstance(value, list) else value
        for group in FieldGroup:
            form.visibility_field(group).data = member.visibility_of(group).value
    return form


def _raw_fields(form: ProfileForm) -> dict[str, Any]:
    raw = {name: getattr(form, name).data or "" for name in PROFILE_FIELDS}
    raw["commune_code"] = commune_code_from_input(raw["commune_code"])
    return raw


@bp.route("/mon-profil", methods=["GET", "POST"])
@login_required
def me() -> ResponseReturnValue:
    member = current_member()
    form = _profile_form(member)
    if form.is_submitted():
        valid = form.validate()
        cleaned, errors = clean_member_fields(_raw_fields(form))
        for name, message in errors.items():
            field = getattr(form, name)
            if message not in field.errors:
                field.errors = [*field.errors, message]
        if valid and not errors:
            update_profile(member, cleaned, {
                group: Visibility(form.visibility_field(group).data) for group in FieldGroup})
            db.session.commit()
            flash(_("Profil enregistré."), "success")
            return redirect(url_for("members.me"))
    return render_template(
        "node/members/me.html", form=form, member=member, groups=FieldGroup,
        nearby=nearby_communes(), commune=commune_name(member.commune_code)), (
        422 if form.errors else 200)


def _listing_raw(form: ListingForm) -> dict[str, object]:
    return {"kind": form.kind.data, "title": form.title.data, "details": form.details.data,
            "skills": form.skills.data or [],
            "commune_code": commune_code_from_input(form.commune_code.data or ""),
            "radius_km": form.radius_km.data, "visibility": form.visibility.data or ""}


def _listing_page(template: str, form: ListingForm, **context: object) -> ResponseReturnValue:
    return render_template(
        template, form=form, nearby=nearby_communes(), kinds=LISTING_KIND_LABELS,
        states=LISTING_STATE_LABELS, commune_name=commune_name,
        skill_labels=lambda ids: skill_labels(ids, current_language()),
        **context), (422 if form.errors else 200)


@bp.route("/mon-profil/offres", methods=["GET", "POST"])
@login_required
def listings() -> ResponseReturnValue:
    member = current_member()
    form = ListingForm()
    if form.validate_on_submit():
        data, errors = clean_listing(_listing_raw(form))
        if data is not None:
            post_listing(member, data)
            db.session.commit()
            flash(_("Annonce ajoutée, visible %(days)s jours.", days=LISTING_DAYS), "success")
            return redirect(url_for("members.listings"))
        for name, message in errors.items():
            getattr(form, name).errors = [message]
    return _listing_page("node/members/listings.html", form, member=member)


def _own_listing_or_404(listing_uuid: str) -> Listing:
    listing = own_listing(current_member(), listing_uuid)
    if listing is None:
        abort(404)
    return listing


@bp.route("/mon-profil/offres/<listing_uuid>", methods=["GET", "POST"])
@login_required
def edit_listing(listing_uuid: str) -> ResponseReturnValue:
    listing = _own_listing_or_404(listing_uuid)
    form = ListingForm(obj=listing)
    if not form.is_submitted():
        form.radius_km.data = str(listing.radius_km)
    if form.validate_on_submit():
        data, errors = clean_listing(_listing_raw(form))
        if data is not None:
            change_listing(listing, data)
            db.session.commit()
            flash(_("Annonce modifiée."), "success")
            return redirect(url_for("members.listings"))
        for name, message in errors.items():
            getattr(form, name).errors = [message]
    return _listing_page("node/members/listing_edit.html", form, listing=listing)


@bp.post("/mon-profil/offres/<listing_uuid>/etat/<state>")
@login_required
def listing_state(listing_uuid: str, state: str) -> ResponseReturnValue:
    """« C'est pourvu » or « Remettre en ligne » (which renews it)."""
    listing = _own_listing_or_404(listing_uuid)
    if state not in (ListingState.ACTIVE.value, ListingState.FULFILLED.value):
        abort(404)
    set_state(listing, ListingState(state))
    db.session.commit()
    flash(_("Annonce pourvue : merci de l'avoir signalé.") if state == ListingState.FULFILLED
          else _("Annonce remise en ligne pour %(days)s jours.", days=LISTING_DAYS), "success")
    return redirect(url_for("members.listings"))


@bp.get("/mon-profil/offres/<listing_uuid>/correspondances")
@login_required
def listing_matches(listing_uuid: str) -> ResponseReturnValue:
    """Who answers my listing, here and in the other villages, and why."""
    listing = _own_listing_or_404(listing_uuid)
    found = matches_for(listing, Viewer.for_account(current_user))
    return render_template(
        "node/members/listing_matches.html", listing=listing, matches=found,
        reason_text=lambda r: describe_reason(r.kind, r.value), kinds=LISTING_KIND_LABELS,
        commune_name=commune_name)


@bp.post("/mon-profil/offres/<listing_uuid>/supprimer")
@login_required
def remove_listing(listing_uuid: str) -> ResponseReturnValue:
    delete_listing(_own_listing_or_404(listing_uuid))
    db.session.commit()
    flash(_("Annonce supprimée."), "success")
    return redirect(url_for("members.listings"))


@bp.get("/mon-profil/export.json")
@login_required
def export() -> ResponseReturnValue:
    body = json.dumps(export_member_data(current_member()), ensure_ascii=False, indent=2)
    filename = f"chaleur-mes-donnees-{date.today().isoformat()}.json"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    })


def _confirms(member: Member, typed: str) -> bool:
    account = member.account
    return normalise_email(typed) == account.email or password_matches(account, typed)


@bp.route("/mon-profil/supprimer", methods=["GET", "POST"])
@login_required
def delete_account() -> ResponseReturnValue:
    member = current_member()
    form = DeleteAccountForm()
    last_admin = is_last_admin(member.account)
    if form.validate_on_submit():
        if not _confirms(member, form.confirmation.data or ""):
            form.confirmation.errors = [
                _("Ce n'est ni votre adresse e-mail ni votre mot de passe.")]
        else:
            try:
                after_commit = delete_member(member)
            except MemberError as error:
                db.session.rollback()
                flash(str(error), "error")
                return redirect(url_for("members.delete_account"))
            db.session.commit()
            after_commit()  # mail leaves after the commit
            logout_user()
            flash(_("Votre compte et toutes vos données ont été supprimés. Au revoir !"),
                  "success")
            return redirect(url_for("public.home"))
    return render_template("node/members/delete.html", form=form, member=member,
                           last_admin=last_admin), (422 if form.errors else 200)
