"""Invented questions au réseau for the example data: a few questions each village's members
ask the network, answered by their neighbours, one of them marked as having helped and one
resolved, so the « Questions » pages, the Pays and the other village's « Réseau » page show
what real use leaves behind.

Only this village's members answer here. Answers from the other village need federation (a
signed ``question_answer`` notice from its node, docs/federation.md § 8.4), which does not
exist when the example data is loaded: in the demo they come live, when someone answers from
the other village's « Réseau » page. Writing them here would claim a village sent what it
never sent.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from federation.identity import short_name
from node.extensions import db
from node.models import AccountStatus, Answer, Member, Question, Visibility
from node.services.questions import RESOLVED
from node.services.villages import own_node_id

#: (question, details, possible answers): invented, about the everyday of an independent.
QUESTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Quelqu'un a déjà eu un client qui ne paie pas ?",
     "Une facture de 800 € en retard de trois mois, malgré deux relances polies.",
     ("Une mise en demeure par recommandé d'abord ; souvent, ça suffit.",
      "Ensuite l'injonction de payer au tribunal : le formulaire se remplit en ligne.",
      "Je demande maintenant un acompte de 30 % à la commande, ça évite bien des soucis.")),
    ("Quel logiciel de facturation pour débuter ?", "",
     ("Un tableur suffit la première année, avec une facture numérotée par ligne.",
      "J'utilise un logiciel libre de gestion, installé par un membre du réseau.",
      "Attention aux mentions obligatoires : le numéro SIRET et les pénalités de retard.")),
    ("Un bon imprimeur pour des cartes de visite en petite quantité ?",
     "Une centaine de cartes, papier recyclé si possible.",
     ("L'atelier d'impression de la zone artisanale fait des petites séries.",
      "Demandez un bon à tirer papier, les couleurs changent à l'écran.")),
    ("Comment fixer un tarif horaire quand on se lance ?", "",
     ("Partez de ce qu'il vous faut par mois, divisé par les heures vraiment facturées.",
      "Comptez les heures de déplacement : à la campagne, elles pèsent lourd.",
      "Comparez avec deux ou trois collègues du réseau, ils répondent volontiers.")),
    ("Qui partage un utilitaire pour des livraisons ponctuelles ?",
     "Deux ou trois fois par mois, pour des meubles.",
     ("Le tiers-lieu a un planning partagé pour le camion de l'association.",
      "Je loue le mien à la demi-journée entre membres, assurance comprise.")),
    ("Une assurance responsabilité civile pro raisonnable ?",
     "Je démarre une activité de conseil, sans local.",
     ("Comparez au moins trois devis ; les garanties varient beaucoup.",
      "Mon assureur a une offre pour les indépendants sans local, à voir.")),
)
#: How many questions each village asks in the example data.
ASKED = 3


def load_example_questions(rng: random.Random, members: list[Member], now: datetime) -> int:
    """Add a few questions asked to the network, answered by other members of this village
    (flushes; the caller commits). Returns how many questions."""
    active = [m for m in members
              if m.account is not None and m.account.status == AccountStatus.ACTIVE.value]
    if len(active) < 4:
        return 0
    chosen, village = rng.sample(QUESTIONS, k=ASKED), own_node_id() or ""
    for index, (title, details, replies) in enumerate(chosen):
        asker, *others = rng.sample(active, k=len(replies) + 1)
        asked_at = now - timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 10))
        question = Question(member=asker, title=title, details=details,
                            audience=Visibility.NETWORK.value, created_at=asked_at,
                            updated_at=asked_at, answers=[])
        for number, (author, text) in enumerate(zip(others, replies, strict=True)):
            question.answers.append(Answer(
                member=author, body=text, author_village=village, author_uuid=author.uuid,
                author_name=short_name(author.display_name), helped=number == 0,
                created_at=asked_at + timedelta(hours=3 * (number + 1))))
        if index == ASKED - 1:
            question.state = RESOLVED  # the asker said the answers settled it
        db.session.add(question)
    db.session.flush()
    return ASKED
