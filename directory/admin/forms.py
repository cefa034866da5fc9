"""Coordinator forms (Flask-WTF: CSRF on each)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length

from webui.forms import Form


class LoginForm(Form):
    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=200)])


class DecisionForm(Form):
    reason = TextAreaField(_l("Motif (facultatif, gardé au journal)"),
                           validators=[Length(max=2000)])
