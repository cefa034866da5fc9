"""My address book: members I keep, with a private note, exportable as vCards.

An entry stays when its contact later narrows their visibility, but each page and export shows
only what I may still see of them *now* (``visibility.visible_profile``), never a stale copy.
People of other villages are kept from the network copy (``services.network_contacts``),
which keeps them in step with it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from node.extensions import db
from node.members import bp
from node.members.forms import NoteForm
from node.members.views import (
    current_member,
    current_viewer,
    listed_member_or_404,
    vcard_response,
)
from node.models import AddressBookEntry, NetworkContact
from node.services import network_contacts
from node.services.community import commune_name
from node.services.members import (
    MemberError,
    add_contact,
    address_book_entry,
    member_by_uuid,
    remove_contact,
    set_contact_note,
)
from node.services.members import address_book as entries_of
from node.services.vcard import member_vcard, vcard_collection
from node.services.visibility import visible_profile


def _rows() -> list[dict[str, Any]]:
    viewer = current_viewer()
    rows = []
    for entry in entries_of(current_member()):
        profile = visible_profile(viewer, entry.contact)
        rows.append({"entry": entry, "profile": profile, "uuid": entry.contact.uuid,
                     "form": NoteForm(formdata=None, note=entry.note),
                     "commune": commune_name((profile or {}).get("commune_code", ""))})
    return rows


def _entry_or_404(contact_uuid: str) -> AddressBookEntry:
    contact = member_by_uuid(contact_uuid)
    entry = address_book_entry(current_member(), contact) if contact else None
    if entry is None:
        abort(404)
    return entry


def _network_rows() -> list[dict[str, Any]]:
    return [{"contact": contact, "profile": contact.profile,
             "commune": commune_name(str(contact.profile.get("commune_code", "")))}
            for contact in network_contacts.contacts_of(current_member())]


@bp.get("/carnet")
@login_required
def address_book() -> ResponseReturnValue:
    return render_template("node/members/address_book.html", rows=_rows(),
                           network_rows=_network_rows())


@bp.post("/carnet/reseau/<node_id>/<member_uuid>")
@login_required
def add_network_contact(node_id: str, member_uuid: str) -> ResponseReturnValue:
    """« Ajouter à mon carnet » on the Réseau page: someone the network copy shows."""
    kept = network_contacts.add(current_member(), node_id[:63], member_uuid[:36])
    if kept is None:
        abort(404)
    db.session.commit()
    flash(_("%(name)s (%(village)s) est dans votre carnet.",
            name=kept.profile.get("display_name", ""), village=kept.village), "success")
    return redirect(url_for("network.page") + f"#personne-{member_uuid}")


def _save_note(entry: AddressBookEntry | NetworkContact, anchor: str) -> ResponseReturnValue:
    """The note of a contact of this village or of another one: same form, same answers."""
    form = NoteForm()
    if not form.validate_on_submit():
        flash(_("Note non enregistrée : %(reason)s",
                reason=" ".join(form.note.errors) or _("formulaire expiré, réessayez.")),
              "error")
        return redirect(url_for("members.address_book"))
    try:
        set_contact_note(entry, form.note.data or "")
    except MemberError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Note enregistrée."), "success")
    return redirect(url_for("members.address_book") + f"#{anchor}")


@bp.post("/carnet/reseau/<node_id>/<member_uuid>/note")
@login_required
def edit_network_note(node_id: str, member_uuid: str) -> ResponseReturnValue:
    kept = network_contacts.find(current_member(), node_id, member_uuid)
    if kept is None:
        abort(404)
    return _save_note(kept, f"personne-{member_uuid}")


@bp.post("/carnet/reseau/<node_id>/<member_uuid>/supprimer")
@login_required
def remove_network_contact(node_id: str, member_uuid: str) -> ResponseReturnValue:
    kept = network_contacts.find(current_member(), node_id, member_uuid)
    if kept is None:
        abort(404)
    network_contacts.remove(kept)
    db.session.commit()
    flash(_("Contact retiré de votre carnet."), "success")
    if request.form.get("next") == "network":
        return redirect(url_for("network.page") + f"#personne-{member_uuid}")
    return redirect(url_for("members.address_book"))


@bp.post("/carnet/<contact_uuid>")
@login_required
def add_to_address_book(contact_uuid: str) -> ResponseReturnValue:
    contact = listed_member_or_404(contact_uuid, current_viewer())
    try:
        add_contact(current_member(), contact)
    except MemberError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("members.profile", member_uuid=contact_uuid))
    db.session.commit()
    flash(_("%(name)s est dans votre carnet.", name=contact.display_name), "success")
    return redirect(url_for("members.profile", member_uuid=contact_uuid))


@bp.post("/carnet/<contact_uuid>/note")
@login_required
def edit_note(contact_uuid: str) -> ResponseReturnValue:
    entry = _entry_or_404(contact_uuid)
    return _save_note(entry, f"contact-{contact_uuid}")


@bp.post("/carnet/<contact_uuid>/supprimer")
@login_required
def remove_from_address_book(contact_uuid: str) -> ResponseReturnValue:
    remove_contact(_entry_or_404(contact_uuid))
    db.session.commit()
    flash(_("Contact retiré de votre carnet."), "success")
    target = request.form.get("next")
    if target == "profile":
        return redirect(url_for("members.profile", member_uuid=contact_uuid))
    return redirect(url_for("members.address_book"))


@bp.get("/carnet.vcf")
@login_required
def address_book_vcf() -> ResponseReturnValue:
    cards = [member_vcard(row["profile"], row["commune"]) for row in _rows() if row["profile"]]
    cards += [member_vcard(dict(row["profile"], id=row["contact"].member_uuid), row["commune"])
              for row in _network_rows()]
    return vcard_response(vcard_collection(cards), "carnet-chaleur.vcf")
