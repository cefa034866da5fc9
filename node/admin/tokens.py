"""API tokens (/admin/jetons): an admin creates one for a program, sees it once, revokes it.

The secret is shown in the answer to the creating POST and nowhere else: not in a flash
message (the session cookie is signed, not encrypted), not in a log, not in the database.
"""

from __future__ import annotations

from flask import Response, abort, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from node.admin import bp
from node.auth.session import admin_required
from node.extensions import db
from node.public.forms import ConfirmForm
from node.services import api_tokens
from webui.forms import Form


class TokenForm(Form):
    name = StringField(_l("Nom du jeton"), validators=[
        InputRequired(_l("Donnez un nom au jeton (ex. « Site de la mairie »).")),
        Length(max=api_tokens.MAX_NAME)])


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> Response:
    response = make_response(render_template(
        "node/admin/tokens/list.html", form=form, tokens=api_tokens.list_tokens(),
        secret=secret), status)
    response.headers["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@bp.route("/jetons", methods=["GET", "POST"], endpoint="tokens")
@admin_required
def token_list() -> ResponseReturnValue:
    form = TokenForm()
    if form.validate_on_submit():
        try:
            created = api_tokens.create_token(current_user, form.name.data or "")
        except api_tokens.TokenInvalid as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            return _page(TokenForm(formdata=None), secret=created.secret, status=201)
    return _page(form, status=422 if form.errors else 200)


@bp.post("/jetons/<int:token_id>/revoquer")
@admin_required
def token_revoke(token_id: int) -> ResponseReturnValue:
    token = api_tokens.find_token(token_id)
    if token is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        api_tokens.revoke_token(token)
        db.session.commit()
        flash(_("Jeton « %(name)s » révoqué : il ne permet plus rien.", name=token.name),
              "success")
    return redirect(url_for("admin.tokens"))
