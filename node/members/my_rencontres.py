"""« Mes rencontres »: the signed-in member's answers here and in the other villages, with
the secret address of their personal calendar feed (the same as « Mon agenda »)."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from node.extensions import db
from node.members import bp
from node.members.views import current_member
from node.services import my_rencontres, personal_calendar


@bp.get("/mes-rencontres", endpoint="my_rencontres")
@login_required
def my_rencontres_page() -> ResponseReturnValue:
    token = personal_calendar.token_for(current_user)
    db.session.commit()
    feed = str(current_app.config["PUBLIC_URL"]) + url_for("decisions.calendar_feed",
                                                           jeton=token)
    return render_template("node/members/my_rencontres.html",
                           entries=my_rencontres.entries(current_member()), feed_url=feed)
