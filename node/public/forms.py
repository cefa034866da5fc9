"""Forms of the public rencontre pages: a member's answer, a guest's answer, a guest's cancel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from webui.forms import Form


class AnswerForm(Form):
    """A signed-in member's answer to one occurrence."""

    occurrence = HiddenField(validators=[DataRequired()])
    status = RadioField(_l("Votre réponse"), choices=[
        SelectChoice("going", _l("Je viens")), SelectChoice("maybe", _l("Peut-être")),
        SelectChoice("not_going", _l("Je ne viens pas"))], validators=[DataRequired()])


class GuestAnswerForm(Form):
    """A visitor's answer to a public rencontre; they cancel through the mailed link."""

    occurrence = HiddenField(validators=[DataRequired()])
    guest_name = StringField(_l("Votre nom"), validators=[
        DataRequired(_l("Indiquez votre nom.")), Length(max=120)])
    guest_email = EmailField(_l("Votre adresse e-mail"), validators=[
        DataRequired(_l("Indiquez votre adresse e-mail.")),
        Email(_l("Adresse e-mail invalide."), check_deliverability=False)])
    status = RadioField(_l("Votre réponse"), default="going", choices=[
        SelectChoice("going", _l("Je viens")), SelectChoice("maybe", _l("Peut-être"))],
        validators=[DataRequired()])


class ConfirmForm(Form):
    """Only the CSRF token: a click that confirms a change."""
