"""Server-drawn SVG charts of results: the merit profiles of a majority judgment, and bars.

Inline SVG, no script, no external asset; each chart has a title and a description for
screen readers, and the page shows the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from node.services.decision_results import OptionResult

WIDTH = 360
LABEL = 22
BAR = 26
GAP = 14
#: From « À rejeter » (0) to « Excellent » (6): red to green, readable on white.
GRADE_COLOURS = ("#991b1b", "#dc2626", "#f97316", "#facc15", "#a3e635", "#16a34a", "#166534")


def grade_names() -> list[str]:
    return [str(name) for name in (_("À rejeter"), _("Insuffisant"), _("Passable"),
                                   _("Assez bien"), _("Bien"), _("Très bien"),
                                   _("Excellent"))]


def _svg(height: int, title: str, description: str, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'role="img" aria-labelledby="chart-title chart-desc" '
            f'font-family="system-ui, sans-serif" font-size="13">'
            f'<title id="chart-title">{escape(title)}</title>'
            f'<desc id="chart-desc">{escape(description)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def merit_profiles(rows: Sequence[OptionResult]) -> Markup:
    """One stacked bar per option, worst grade on the left, with the 50 % line: the grade
    under the line is the option's majority grade."""
    names = grade_names()
    body: list[str] = []
    y = 0
    for row in rows:
        total = sum(row.profile) or 1
        body.append(f'<text x="0" y="{y + 16}" fill="#1c1917">{escape(row.label)}</text>')
        x = 0.0
        for grade, count in enumerate(row.profile):
            width = WIDTH * count / total
            if width > 0:
                body.append(f'<rect x="{x:.2f}" y="{y + LABEL}" width="{width:.2f}" '
                            f'height="{BAR}" fill="{GRADE_COLOURS[grade]}">'
                            f'<title>{escape(names[grade])} : {count}</title></rect>')
            x += width
        y += LABEL + BAR + GAP
    body.append(f'<line x1="{WIDTH / 2}" y1="0" x2="{WIDTH / 2}" y2="{y}" stroke="#1c1917" '
                'stroke-width="2" stroke-dasharray="4 3"/>')
    description = _("Profil de mérite de chaque option : part de chaque mention, de « À "
                    "rejeter » à gauche à « Excellent » à droite ; la ligne marque la moitié "
                    "des votes. Le tableau suivant donne les mêmes chiffres.")
    return _svg(max(y, 1), _("Profils de mérite"), description, body)


def bars(rows: Sequence[OptionResult], title: str) -> Markup:
    """Horizontal bars of each option's score (points, « +1 », « oui »)."""
    top = max((row.score for row in rows), default=0) or 1
    body: list[str] = []
    y = 0
    for row in rows:
        width = (WIDTH - 40) * row.score / top
        body.append(f'<text x="0" y="{y + 16}" fill="#1c1917">{escape(row.label)}</text>')
        body.append(f'<rect x="0" y="{y + LABEL}" width="{width:.2f}" height="{BAR}" '
                    f'fill="#9a3412"/>')
        body.append(f'<text x="{width + 6:.2f}" y="{y + LABEL + 18}" '
                    f'fill="#1c1917">{row.score}</text>')
        y += LABEL + BAR + GAP
    return _svg(max(y, 1), title, _("Le tableau suivant donne les mêmes chiffres."), body)
