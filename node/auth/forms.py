"""The account forms: sign-in, joining, invitation, password reset."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from node.services.accounts import MIN_PASSWORD_LENGTH
from node.services.admissions import MAX_JOIN_MESSAGE
from webui.forms import Form

EMAIL_REQUIRED = _l("Indiquez votre adresse e-mail.")
EMAIL_INVALID = _l("Adresse e-mail invalide.")
PASSWORD_SHORT = _l("Le mot de passe doit contenir au moins %(n)s caractères.",
                    n=MIN_PASSWORD_LENGTH)


def _email_field(label: str = "") -> EmailField:
    return EmailField(label or _l("Adresse e-mail"),
                      validators=[DataRequired(EMAIL_REQUIRED), Email(EMAIL_INVALID),
                                  Length(max=254)])


def _new_password_field() -> PasswordField:
    return PasswordField(_l("Mot de passe"), validators=[
        DataRequired(_l("Choisissez un mot de passe.")),
        Length(min=MIN_PASSWORD_LENGTH, max=200, message=PASSWORD_SHORT)])


def _display_name_field() -> StringField:
    return StringField(_l("Nom affiché"), validators=[
        DataRequired(_l("Le nom affiché est obligatoire.")), Length(max=120)])


class LoginForm(Form):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(EMAIL_REQUIRED),
                                                        Length(max=254)])
    password = PasswordField(_l("Mot de passe"),
                             validators=[DataRequired(_l("Indiquez votre mot de passe."))])
    next = HiddenField()


class JoinForm(Form):
    display_name = _display_name_field()
    email = _email_field()
    password = _new_password_field()
    trade = StringField(_l("Métier ou activité"), validators=[Optional(), Length(max=120)])
    commune = StringField(_l("Commune"), validators=[Optional(), Length(max=80)])
    message = TextAreaField(_l("Pourquoi voulez-vous nous rejoindre ?"),
                            validators=[Optional(), Length(max=MAX_JOIN_MESSAGE)])


class InvitationForm(Form):
    display_name = _display_name_field()
    password = _new_password_field()


class ForgotPasswordForm(Form):
    email = _email_field()


class NewPasswordForm(Form):
    password = _new_password_field()
