"""Forms of the decision pages. Per-option answers are read from ``option-<id>`` fields by
the views (their number varies); these classes carry the fixed fields and the CSRF token."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webui.forms import ClockField, DayField, Form

SLOT_ROWS = 6


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DecisionForm(Form):
    """Opening a decision; which fields show depends on its kind."""

    title = StringField(_l("Titre"), validators=[DataRequired(_l("Donnez un titre.")),
                                                 Length(max=160)])
    description = TextAreaField(_l("Contexte"), validators=[Length(max=10000)])
    closes_date = DayField(_l("Date de clôture"), validators=[
        InputRequired(_l("Indiquez quand la décision se clôt."))])
    closes_time = ClockField(_l("Heure de clôture"), default=time(20, 0),
                            validators=[InputRequired()])
    audience = RadioField(_l("Qui décide ?"), default="community", choices=[
        SelectChoice("community", _l("Toute la communauté")),
        SelectChoice("rencontre", _l("Les participant·e·s d'une rencontre")),
        SelectChoice("network", _l("Plusieurs villages du réseau"))])
    rencontre = SelectField(_l("Rencontre"), choices=[], validate_choice=False)
    villages = MultiCheckboxField(_l("Villages invités"), choices=[], validate_choice=False)
    anonymous = BooleanField(_l("Réponses anonymes (personne, pas même l'équipe, ne peut "
                                "savoir qui a répondu quoi)"))
    results_shown = RadioField(_l("Résultats"), default="during", choices=[
        SelectChoice("during", _l("Visibles pendant le vote")),
        SelectChoice("after", _l("Seulement après la clôture"))])
    points_budget = IntegerField(_l("Points par personne"), default=10,
                                 validators=[Optional(), NumberRange(1, 100)])
    options = TextAreaField(_l("Options (une par ligne)"), validators=[Length(max=20000)])
    shared = BooleanField(_l("Partager avec le réseau du Pays (titre, dates et résultat "
                             "seulement, jamais les réponses)"))
    subject = RadioField(_l("Ce que la proposition change, une fois adoptée"), default="",
                         choices=[SelectChoice("", _l("Rien d'autre : une décision")),
                                  SelectChoice("charter", _l("La charte de la communauté")),
                                  SelectChoice("mandate", _l("Un mandat (un rôle confié)"))])
    role = StringField(_l("Rôle"), validators=[Length(max=120)])
    mandate_member = SelectField(_l("Personne proposée"), choices=[], validate_choice=False)
    mandate_start = DayField(_l("Début du mandat"), validators=[Optional()])
    mandate_end = DayField(_l("Fin du mandat"), validators=[Optional()])

    def closes_local(self) -> datetime:
        return datetime.combine(self.closes_date.data, self.closes_time.data)

    def slot_rows(self) -> range:
        return range(1, SLOT_ROWS + 1)


class ConsentAmendForm(Form):
    text = TextAreaField(_l("Nouvelle version"), validators=[DataRequired(), Length(max=10000)])


class IdeaForm(Form):
    idea = StringField(_l("Votre idée"), validators=[DataRequired(_l("Écrivez votre idée.")),
                                                     Length(max=300)])


class MeetingForm(Form):
    """« Clore la rencontre »: minutes and new actions (a few rows, no JavaScript)."""

    minutes = TextAreaField(_l("Compte rendu"), validators=[Length(max=50000)])


class ActionForm(Form):
    title = StringField(_l("Action"), validators=[DataRequired(), Length(max=200)])
    owner = SelectField(_l("Qui s'en charge"), choices=[], validate_choice=False)
    due_on = DayField(_l("Pour le"), validators=[Optional()])


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def parse_time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
