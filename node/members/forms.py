"""Forms of the member area. Field values are checked by ``clean_member_fields`` (shared with
the API and the CSV import); these classes only carry CSRF, labels and the visibility choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional

import vocabulary
from node.models import FieldGroup, ListingKind, ListingState, Visibility
from node.models.member import DEFAULT_RADIUS_KM
from node.services.listings import RADII_KM
from vocabulary.text import fold
from webui.forms import Form

VISIBILITY_LABELS = {
    Visibility.PRIVATE: _l("Privé : administrateurs et animateurs du nœud seulement"),
    Visibility.COMMUNITY: _l("Communauté : membres connectés de ce nœud"),
    Visibility.NETWORK: _l("Réseau : membres connectés des villages du réseau, jamais les "
                           "visiteurs anonymes"),
    Visibility.PUBLIC: _l("Public : tout le monde"),
}

VISIBILITY_SHORT = {
    Visibility.PRIVATE: _l("Privé"),
    Visibility.COMMUNITY: _l("Communauté"),
    Visibility.NETWORK: _l("Réseau"),
    Visibility.PUBLIC: _l("Public"),
}

PROFILE_FIELDS = ("display_name", "trade", "business_name", "siret", "commune_code", "skills",
                  "bio", "website", "languages", "contact_email", "phone")


def _visibility_field(label: str) -> RadioField:
    return RadioField(label, choices=[SelectChoice(level.value, text)
                                      for level, text in VISIBILITY_LABELS.items()])


class ProfileForm(Form):
    display_name = StringField(_l("Nom affiché"), validators=[DataRequired(
        message=_l("Le nom affiché est obligatoire."))])
    trade = StringField(_l("Métier"))
    business_name = StringField(_l("Nom de l'entreprise"))
    siret = StringField(_l("SIRET"))
    commune_code = StringField(_l("Commune"))
    skills = StringField(_l("Compétences"))
    bio = TextAreaField(_l("Présentation"))
    website = URLField(_l("Site web"))
    languages = StringField(_l("Langues parlées"))
    contact_email = EmailField(_l("E-mail de contact"))
    phone = TelField(_l("Téléphone"))
    visibility_identity = _visibility_field(_l("Qui voit votre identité ?"))
    visibility_skills = _visibility_field(_l("Qui voit vos compétences, offres et besoins ?"))
    visibility_about = _visibility_field(_l("Qui voit votre présentation ?"))
    visibility_contact = _visibility_field(_l("Qui voit vos coordonnées ?"))

    def visibility_field(self, group: FieldGroup) -> RadioField:
        return getattr(self, f"visibility_{group.value}")


LISTING_KIND_LABELS = {
    ListingKind.OFFER: _l("Je propose (offre)"),
    ListingKind.NEED: _l("Je recherche (besoin)"),
    ListingKind.HELP: _l("Un coup de main"),
    ListingKind.LOAN: _l("Je prête du matériel"),
    ListingKind.TENDER: _l("Réponse à plusieurs (co-traitance d'un appel d'offres)"),
}

LISTING_STATE_LABELS = {
    ListingState.ACTIVE: _l("En cours"),
    ListingState.FULFILLED: _l("Pourvue"),
    ListingState.EXPIRED: _l("Expirée"),
}


def _skill_choices() -> list[SelectChoice]:
    return [SelectChoice(c.id, c.label) for c in sorted(
        vocabulary.concepts(), key=lambda c: fold(c.label))]


class ListingForm(Form):
    """An offer or need. Values are checked by ``services.listings.clean_listing``."""

    kind = RadioField(_l("Type"), choices=[SelectChoice(kind.value, text) for kind, text
                                          in LISTING_KIND_LABELS.items()],
                      default=ListingKind.OFFER.value, validate_choice=False)
    title = StringField(_l("Titre"), validators=[DataRequired(
        message=_l("Le titre est obligatoire.")), Length(max=120)])
    details = TextAreaField(_l("Détails"), validators=[Optional(), Length(max=2000)])
    skills = SelectMultipleField(_l("Compétences concernées"), choices=_skill_choices,
                                 validate_choice=False)
    commune_code = StringField(_l("Commune"))
    radius_km = SelectField(_l("Jusqu'à quelle distance ?"), choices=[
        SelectChoice(str(km), _l("%(km)s km", km=km)) for km in RADII_KM],
        default=str(DEFAULT_RADIUS_KM), validate_choice=False)
    visibility = RadioField(_l("Qui voit l'annonce ?"), choices=[
        SelectChoice("", _l("Comme mes compétences")),
        SelectChoice(Visibility.COMMUNITY.value, VISIBILITY_LABELS[Visibility.COMMUNITY]),
        SelectChoice(Visibility.NETWORK.value, VISIBILITY_LABELS[Visibility.NETWORK]),
        SelectChoice(Visibility.PUBLIC.value, VISIBILITY_LABELS[Visibility.PUBLIC]),
    ], default="", validate_choice=False)


class NoteForm(Form):
    note = TextAreaField(_l("Note privée"), validators=[Optional(), Length(max=500)])


class DirectoryForm(Form):
    """The GET search form: no CSRF (it changes nothing), values read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Nom, métier, compétence"))
    commune = SelectField(_l("Commune"), choices=[], validate_choice=False)
    skill = SelectField(_l("Compétence"), choices=[], validate_choice=False)


class DeleteAccountForm(Form):
    confirmation = PasswordField(_l("Votre mot de passe ou votre adresse e-mail"), validators=[
        DataRequired(message=_l("Tapez votre adresse e-mail ou votre mot de passe."))])
