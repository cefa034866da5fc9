"""The directory, a member's profile page and their vCard.

What a viewer sees always comes from ``node.services.visibility``: a member not listed for the
viewer is a 404 (not a 403), so nobody learns that a hidden profile exists.
"""

from __future__ import annotations

import re
from typing import Any

from babel import Locale
from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

import communes
from node.extensions import login_manager
from node.members import bp
from node.members.forms import VISIBILITY_SHORT, DirectoryForm
from node.models import FieldGroup, ListingKind, Member
from node.services.community import commune_name
from node.services.contact_relay import write_from_elsewhere
from node.services.directory_search import (
    DirectoryQuery,
    listed_profiles,
    search_profiles,
    skill_facets,
)
from node.services.members import address_book_entry, member_by_uuid
from node.services.vcard import member_vcard
from node.services.visibility import Viewer, is_listed, visible_profile
from webui.village_sign_in import current_member as network_member


def current_viewer() -> Viewer:
    """The signed-in person, a member of another village signed in here with their village,
    or an anonymous visitor, as the visibility rules see them."""
    if current_user.is_authenticated:
        return Viewer.for_account(current_user)
    return Viewer.network() if network_member() is not None else Viewer.anonymous()


def current_member() -> Member:
    return current_user.member  # type: ignore[no-any-return]


def listed_member_or_404(member_uuid: str, viewer: Viewer) -> Member:
    member = member_by_uuid(member_uuid)
    if member is None or not is_listed(viewer, member):
        abort(404)
    return member


def vcard_filename(name: str) -> str:
    """An ASCII file name from a display name ("Élise Müller" -> "elise-muller.vcf")."""
    slug = re.sub(r"[^a-z0-9]+", "-", communes.fold(name)).strip("-")
    return f"{slug or 'contact'}.vcf"


def vcard_response(body: str, filename: str) -> Response:
    return Response(body, mimetype="text/vcard", headers={
        "Content-Type": "text/vcard; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    })


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 6 else 1


@bp.get("/membres")
def directory() -> ResponseReturnValue:
    if not current_user.is_authenticated and network_member() is None:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    viewer = current_viewer()
    profiles = listed_profiles(viewer)
    form = DirectoryForm(request.args)
    codes = {p["commune_code"] for p in profiles if p.get("commune_code")}
    form.commune.choices = [SelectChoice("", _("Toutes"))] + sorted(
        (SelectChoice(code, commune_name(code)) for code in codes),
        key=lambda choice: communes.fold(choice.label))
    form.skill.choices = [SelectChoice("", _("Toutes"))] + [
        SelectChoice(skill, f"{skill} ({count})") for skill, count in skill_facets(profiles)]
    query = DirectoryQuery(q=form.q.data or "", commune=form.commune.data or "",
                           skill=form.skill.data or "")
    result = search_profiles(profiles, query, _page_number())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("node/members/directory.html", form=form, result=result,
                           query=query, page_args=args, commune_name=commune_name,
                           searching=bool(query.q or query.commune or query.skill))


@bp.get("/membres/<member_uuid>")
def profile(member_uuid: str) -> ResponseReturnValue:
    viewer = current_viewer()
    member = listed_member_or_404(member_uuid, viewer)
    shown: dict[str, Any] = visible_profile(viewer, member) or {}
    own = viewer.member_id == member.id
    in_book = None
    if current_user.is_authenticated and not own:
        in_book = address_book_entry(current_member(), member)
    listings = shown.get("listings", [])
    return render_template(
        "node/members/profile.html", member=member, profile=shown, own=own, in_book=in_book,
        offers=[i for i in listings if i["kind"] == ListingKind.OFFER],
        needs=[i for i in listings if i["kind"] == ListingKind.NEED],
        commune=commune_name(shown.get("commune_code", "")),
        seen_by={group.value: VISIBILITY_SHORT[member.visibility_of(group)]
                 for group in FieldGroup} if own else {},
        languages=[language_name(code) for code in shown.get("languages", [])],
        write_from=[] if current_user.is_authenticated else write_from_elsewhere(member))


@bp.get("/membres/<member_uuid>.vcf")
def vcard(member_uuid: str) -> ResponseReturnValue:
    viewer = current_viewer()
    member = listed_member_or_404(member_uuid, viewer)
    shown = visible_profile(viewer, member) or {}
    body = member_vcard(shown, commune_name(shown.get("commune_code", "")))
    return vcard_response(body, vcard_filename(shown.get("display_name", "")))


def language_name(code: str) -> str:
    """A language code in words, in the page's language ("de" -> "allemand")."""
    locale = get_locale() or Locale("fr")
    return str(locale.languages.get(code, code))
