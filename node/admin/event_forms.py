"""The organiser's event form, and how its recurrence choice maps to an RRULE and back."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from node.models import Event, Venue
from node.services import calendar
from node.services.events import EventInput
from webui.forms import ClockField, DayField, Form

NO_VENUE = 0
MAX_CANCEL_MESSAGE = 2000


class EventForm(Form):
    title = StringField(_l("Titre"), validators=[DataRequired(_l("Le titre est obligatoire.")),
                                                  Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    # InputRequired, not DataRequired: « 30 février » keeps « Cette date n'existe pas ».
    start_date = DayField(_l("Date de début"), validators=[InputRequired(_l("Date requise."))])
    start_time = ClockField(_l("Heure de début"),
                            validators=[InputRequired(_l("Heure requise."))])
    end_date = DayField(_l("Date de fin"), validators=[Optional()])
    end_time = ClockField(_l("Heure de fin"), validators=[InputRequired(_l("Heure requise."))])
    venue_id = SelectField(_l("Lieu"), coerce=int, validate_choice=True)
    capacity = IntegerField(_l("Nombre de places"), validators=[
        Optional(), NumberRange(min=0, max=10000, message=_l("Entre 0 et 10 000."))])
    recurrence = SelectField(_l("Répétition"), choices=[
        SelectChoice("none", _l("Une seule fois")),
        SelectChoice("weekly", _l("Chaque semaine, le même jour")),
        SelectChoice("monthly",
                     _l("Chaque mois, le Nᵉ même jour de la semaine (ex. 1ᵉʳ mardi)")),
        SelectChoice("custom", _l("Règle personnalisée (RRULE)")),
    ], default="none")
    until = DayField(_l("Dernière séance (facultatif)"), validators=[Optional()])
    rrule = StringField(_l("Règle de récurrence (RRULE)"), validators=[Length(max=255)])
    visibility = SelectField(_l("Visible par"), choices=[
        SelectChoice("community", _l("Les membres de la communauté")),
        SelectChoice("network", _l("Les membres du réseau des tiers-lieux")),
        SelectChoice("public", _l("Tout le monde (page publique, invités bienvenus)")),
    ], default="community")

    def set_venues(self, venues: list[Venue]) -> None:
        self.venue_id.choices = [SelectChoice(NO_VENUE, str(_l("— Aucun lieu —")))] + [
            SelectChoice(venue.id, venue.name) for venue in venues]

    def to_input(self) -> EventInput:
        """What the organiser typed, as the events service expects it."""
        start_day: date = self.start_date.data
        return EventInput(
            title=self.title.data or "",
            description=self.description.data or "",
            starts_local=datetime.combine(start_day, self.start_time.data),
            ends_local=datetime.combine(self.end_date.data or start_day, self.end_time.data),
            venue_id=self.venue_id.data or None,
            capacity=self.capacity.data,
            rrule=self._rule(start_day),
            visibility=self.visibility.data,
        )

    def _rule(self, start_day: date) -> str:
        choice = self.recurrence.data
        if choice == "custom":
            return (self.rrule.data or "").strip()
        base = {"weekly": "FREQ=WEEKLY",
                "monthly": calendar.nth_weekday_rule(start_day)}.get(choice, "")
        if base and self.until.data:
            base += ";UNTIL=" + self.until.data.strftime("%Y%m%d")
        return base

    def fill_from(self, event: Event) -> None:
        """Show a stored event in local time, recognising the recurrences the menu offers."""
        start = calendar.to_local(event.starts_at)
        end = calendar.to_local(event.ends_at)
        self.title.data, self.description.data = event.title, event.description
        self.start_date.data, self.start_time.data = start.date(), start.time()
        self.end_date.data, self.end_time.data = end.date(), end.time()
        self.venue_id.data = event.venue_id or NO_VENUE
        self.capacity.data = event.capacity
        self.visibility.data = event.visibility
        parts = [part for part in event.rrule.split(";") if part]
        until = next((p[len("UNTIL="):] for p in parts if p.startswith("UNTIL=")), None)
        rest = ";".join(p for p in parts if not p.startswith("UNTIL="))
        if not rest:
            self.recurrence.data = "none"
        elif rest == "FREQ=WEEKLY":
            self.recurrence.data = "weekly"
        elif rest == calendar.nth_weekday_rule(start.date()):
            self.recurrence.data = "monthly"
        else:
            self.recurrence.data, self.rrule.data = "custom", event.rrule
            return
        if until:
            moment = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            self.until.data = calendar.to_local(moment).date()


class CancelForm(Form):
    """Cancelling a rencontre: the organiser's word to the people expected, put in the mail."""

    message = TextAreaField(_l("Message aux personnes inscrites (facultatif)"), validators=[
        Optional(), Length(max=MAX_CANCEL_MESSAGE)])
    # For a series opened from one of its dates: that date only, or the whole series.
    scope = RadioField(_l("Que faut-il annuler ?"), default="date", choices=[
        SelectChoice("date", _l("Cette date seulement")),
        SelectChoice("series", _l("Toute la série"))],
        validators=[Optional()])


class AttendanceForm(Form):
    """Only CSRF: the checkboxes are read from the request by answer id."""
