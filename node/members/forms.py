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
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional

from node.models import FieldGroup, ListingKind, Visibility
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


class ListingForm(Form):
    kind = RadioField(_l("Type"), choices=[
        SelectChoice(ListingKind.OFFER.value, _l("Je propose")),
        SelectChoice(ListingKind.NEED.value, _l("Je recherche")),
    ], default=ListingKind.OFFER.value)
    title = StringField(_l("Titre"), validators=[DataRequired(
        message=_l("Le titre est obligatoire.")), Length(max=120)])
    details = TextAreaField(_l("Détails"), validators=[Optional(), Length(max=2000)])


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
