"""Invented example data: members, offers and needs, venues, rencontres and their answers,
questions au réseau (:mod:`node.services.example_questions`).

For the demo, screenshots, browser tests and the benchmark. Every person and business here
is made up: first names are combined with surnames invented for Chaleur, businesses have
obviously fictional names, addresses use the reserved ``.example`` domain (RFC 2606) and
phone numbers the range ARCEP keeps for fiction. No SIRET is generated, since a valid one
could belong to a real company. The same seed always gives the same node.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

import communes
import vocabulary
from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    AddressBookEntry,
    Community,
    Cooperation,
    Event,
    Listing,
    ListingKind,
    ListingReply,
    Member,
    Role,
    Rsvp,
    RsvpStatus,
    Venue,
    Visibility,
)
from node.services import shared_figures
from node.services.accounts import hash_password
from node.services.community import extra_communes, find_commune
from node.services.example_decisions import load_example_decisions
from node.services.example_questions import load_example_questions

PARIS = ZoneInfo("Europe/Paris")
EMAIL_DOMAIN = "village.example"
# Every example member signs in with this password (printed by the demo script).
EXAMPLE_PASSWORD = "exemple-chaleur"
NEARBY_KM = 15.0
MONTHLY_RULE = "FREQ=MONTHLY;BYDAY=1TU"

FIRST_NAMES = (
    "Camille", "Léa", "Mathis", "Odile", "Hugo", "Margaux", "Théo", "Clémence", "Lucas",
    "Anaïs", "Romain", "Élise", "Jules", "Salomé", "Bastien", "Maëlle", "Florian", "Justine",
    "Quentin", "Agathe", "Nathan", "Inès", "Victor", "Zoé", "Arthur", "Louise", "Paul", "Chloé",
    "Martin", "Jeanne", "Sami", "Yasmine", "Erwan", "Nour", "Lina", "Tom", "Aurélie", "Gaspard",
)
# Surnames invented for Chaleur (nature words joined together), not taken from any register.
INVENTED_SURNAMES = (
    "Tilleuldor", "Mirabellon", "Houblonnier", "Grèsrose", "Sapinvert", "Ventcalme",
    "Noisetine", "Pierremousse", "Rivebleue", "Champdelin", "Boisdormant", "Prélavande",
    "Fontclaire", "Chêneroux", "Merlebrun", "Sureaudoux", "Moulinvert", "Ormeblanc",
    "Bruyèreclose", "Sentebois", "Étangbleu", "Hêtrefin", "Lierredoux", "Cerisemontagne",
    "Vallonbrume", "Sourcemiel", "Fougèrelune", "Mousseval", "Genêtdoré", "Ruchebelle",
)
BUSINESS_PREFIXES = ("Atelier", "Studio", "Maison", "Les Ateliers", "Fabrique", "Comptoir")
BUSINESS_PLACES = (
    "des Trois Chênes", "du Vieux Tilleul", "de la Source Claire", "du Moulin Bleu",
    "des Quatre Vents", "de la Mirabelle", "des Grès Roses", "du Houblon", "de la Colline Douce",
    "du Sentier Fleuri", "de la Forge Tranquille", "du Verger d'Hiver",
)

BIOS = (
    "{trade}, installé·e dans le secteur depuis quelques années. J'aime travailler avec les "
    "voisins et partager un atelier.",
    "{trade} indépendant·e. Spécialité : {skill}. Disponible pour des projets à plusieurs.",
    "Après des années en ville, je suis revenu·e au village comme {trade_lower}. "
    "Toujours partant·e pour un café et un échange de services.",
)


@dataclass(frozen=True)
class Trade:
    """A trade typical of rural Alsace independents, with what such a person offers and seeks."""

    name: str
    skills: tuple[str, ...]
    offers: tuple[str, ...]
    needs: tuple[str, ...]


TRADES = (
    Trade("Ébéniste", ("meubles sur mesure", "restauration", "marqueterie", "chêne"),
          ("Table en chêne massif sur mesure", "Réparation de chaises anciennes"),
          ("Photographe pour mon catalogue", "Site web vitrine")),
    Trade("Graphiste", ("identité visuelle", "affiches", "mise en page", "illustration"),
          ("Logo et carte de visite", "Affiche pour un événement"),
          ("Imprimeur local", "Comptable pour micro-entreprise")),
    Trade("Comptable", ("micro-entreprise", "TVA", "bilan", "paie"),
          ("Premier bilan d'une micro-entreprise", "Aide à la déclaration de TVA"),
          ("Site web simple", "Traduction de plaquette en allemand")),
    Trade("Traductrice", ("allemand", "anglais", "alsacien", "relecture"),
          ("Traduction français-allemand", "Relecture de documents commerciaux"),
          ("Graphiste pour mon site", "Espace de coworking calme")),
    Trade("Maraîcher", ("légumes bio", "paniers", "semences", "permaculture"),
          ("Paniers de légumes de saison", "Atelier potager pour enfants"),
          ("Menuisier pour un abri de stand", "Aide à la vente en ligne")),
    Trade("Développeuse web", ("Python", "sites vitrines", "accessibilité", "hébergement"),
          ("Site vitrine accessible", "Formation aux outils numériques"),
          ("Photographe pour portraits", "Local de travail partagé")),
    Trade("Architecte", ("rénovation", "bois", "maisons à colombages", "permis de construire"),
          ("Conseil en rénovation de colombages", "Plans pour une extension bois"),
          ("Ébéniste pour agencement", "Traduction de dossiers en allemand")),
    Trade("Couturière", ("retouches", "costumes", "tissus anciens", "broderie"),
          ("Retouches et ourlets", "Costumes pour le théâtre du village"),
          ("Vitrine pour vendre mes créations", "Graphiste pour étiquettes")),
    Trade("Photographe", ("portrait", "reportage", "produits", "drone"),
          ("Portraits professionnels", "Photos de produits pour artisans"),
          ("Site web portfolio", "Comptable")),
    Trade("Plombier", ("chauffage", "sanitaire", "pompe à chaleur", "dépannage"),
          ("Dépannage dans la journée", "Installation de pompe à chaleur"),
          ("Logiciel de devis simple", "Apprenti motivé")),
    Trade("Apicultrice", ("miel", "ruches", "pollinisation", "cire"),
          ("Miel de sapin et de fleurs", "Parrainage de ruche"),
          ("Étiquettes pour pots de miel", "Stand au marché")),
    Trade("Potière", ("grès", "émaux", "tournage", "cours"),
          ("Vaisselle en grès sur commande", "Cours de tournage le samedi"),
          ("Photographe pour mes pièces", "Four partagé")),
)

VENUES = (
    ("Salle des fêtes", "1 rue de l'École", 120,
     "Accès de plain-pied, toilettes adaptées."),
    ("Tiers-lieu de la gare", "3 place de la Gare", 40,
     "Rampe d'accès ; étage non accessible."),
    ("Café associatif Le Pressoir", "12 rue Principale", 25, ""),
)

SINGLE_EVENTS = (
    # (days from today, hour, title, description, visibility, capacity)
    (-62, 19, "Soirée présentation des métiers",
     "Chacun présente son activité en trois minutes.", Visibility.PUBLIC, None),
    (-34, 9, "Petit-déjeuner des indépendants",
     "Café, croissants et entraide entre voisins.", Visibility.COMMUNITY, None),
    (-19, 14, "Atelier : facturer sans stress",
     "Une comptable du réseau répond aux questions.", Visibility.NETWORK, 15),
    (-6, 18, "Apéro d'été au verger",
     "Rencontre informelle, chacun apporte quelque chose.", Visibility.PUBLIC, None),
    (8, 9, "Petit-déjeuner des indépendants",
     "Café, croissants et entraide entre voisins.", Visibility.COMMUNITY, None),
    (19, 14, "Atelier : un site web accessible",
     "Les bases pour un site lisible par tous.", Visibility.PUBLIC, 12),
    (45, 19, "Rencontre inter-villages",
     "Avec les indépendants des villages voisins.", Visibility.NETWORK, None),
    # The coming season: enough rencontres shared with the Pays that its agenda has a
    # second page (the journeys suite walks every list's paging on this data).
    (3, 12, "Déjeuner partagé au tiers-lieu",
     "Chacun apporte un plat ; on parle des projets du mois.", Visibility.PUBLIC, None),
    (12, 18, "Atelier : photographier ses produits",
     "Lumière, fond et retouches simples avec un téléphone.", Visibility.PUBLIC, None),
    (26, 9, "Café des artisans",
     "Un café pour se rencontrer avant la journée de travail.", Visibility.NETWORK, None),
    (33, 14, "Atelier : devis et factures en règle",
     "Mentions obligatoires et outils gratuits.", Visibility.PUBLIC, None),
    (40, 14, "Atelier : bien assurer son activité",
     "Responsabilité civile, décennale : les questions à poser.", Visibility.PUBLIC, None),
    (52, 19, "Soirée des projets à plusieurs",
     "Trouver un associé ou un sous-traitant au village.", Visibility.NETWORK, None),
    (60, 10, "Marché des savoir-faire",
     "Les indépendants du village montrent leur travail.", Visibility.PUBLIC, None),
    (74, 18, "Atelier : se faire connaître en ligne",
     "Fiche d'établissement, réseaux sociaux et bouche-à-oreille.", Visibility.PUBLIC, None),
    (88, 9, "Petit-déjeuner de rentrée",
     "Les nouvelles de chacun et le programme de la saison.", Visibility.NETWORK, None),
)


class ExampleDataError(RuntimeError):
    """Example data cannot be loaded into this node; the message says why."""


@dataclass(frozen=True)
class ExampleSummary:
    """How many rows were created, for the CLI to print."""

    members: int
    listings: int
    venues: int
    events: int
    rsvps: int


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _visibility(rng: random.Random, weights: tuple[int, int, int, int]) -> str:
    levels = (Visibility.PRIVATE, Visibility.COMMUNITY, Visibility.NETWORK, Visibility.PUBLIC)
    return rng.choices(levels, weights=weights)[0].value


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in communes.fold(text)).strip("-")


def _nearby_codes(community: Community) -> tuple[list[str], list[str]]:
    """The node's own communes and the communes around any of them (within NEARBY_KM)."""
    own = [code for code in community.communes if find_commune(code) is not None]
    if not own:
        raise ExampleDataError("la communauté n'a aucune commune connue.")
    extra = extra_communes()
    near: dict[str, None] = {}
    for code in own:
        centre = find_commune(code)
        if centre is not None:
            near.update((c.code, None) for c in communes.within_km(centre, NEARBY_KM, extra))
    return own, [code for code in near if code not in own] or own


def _member(rng: random.Random, index: int, own: list[str], near: list[str],
            password_hash: str, now: datetime) -> Account:
    first, last = rng.choice(FIRST_NAMES), rng.choice(INVENTED_SURNAMES)
    trade = TRADES[index % len(TRADES)] if index < len(TRADES) else rng.choice(TRADES)
    email = f"{_slug(first)}.{_slug(last)}.{index + 1}@{EMAIL_DOMAIN}"
    business = ""
    if rng.random() < 0.6:
        business = f"{rng.choice(BUSINESS_PREFIXES)} {rng.choice(BUSINESS_PLACES)}"
    joined = now - timedelta(days=rng.randint(10, 900), minutes=rng.randint(0, 1440))
    member = Member(
        uuid=_uuid(rng),
        display_name=f"{first} {last}",
        trade=trade.name,
        business_name=business,
        skills=rng.sample(trade.skills, k=rng.randint(2, len(trade.skills))),
        bio=rng.choice(BIOS).format(trade=trade.name, trade_lower=trade.name.lower(),
                                    skill=trade.skills[0]),
        commune_code=rng.choice(own) if rng.random() < 0.4 else rng.choice(near),
        website=f"https://{_slug(business or last)}.example" if rng.random() < 0.5 else "",
        contact_email=email,
        phone=f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
        languages=["fr"] + (["de"] if rng.random() < 0.4 else []),
        # Enough public profiles that the Pays shows anyone more than one page of them.
        visibility_identity=_visibility(rng, (0, 4, 2, 3)),
        visibility_skills=_visibility(rng, (0, 3, 2, 5)),
        visibility_about=_visibility(rng, (1, 6, 2, 1)),
        visibility_contact=_visibility(rng, (5, 4, 1, 0)),
        joined_at=joined,
    )
    for kind, titles in ((ListingKind.OFFER, trade.offers), (ListingKind.NEED, trade.needs)):
        for title in rng.sample(titles, k=rng.randint(0, len(titles))):
            member.listings.append(Listing(
                uuid=_uuid(rng), kind=kind.value, title=title, created_at=joined,
                skills=list(vocabulary.concepts_in(f"{title} {trade.name}")),
                commune_code=member.commune_code))
    return Account(email=email, password_hash=password_hash, role=Role.MEMBER.value,
                   status=AccountStatus.ACTIVE.value, created_at=joined, member=member)


def _venues(rng: random.Random, own: list[str]) -> list[Venue]:
    venues = []
    for index, (name, address, capacity, access) in enumerate(VENUES):
        commune = find_commune(own[index % len(own)])
        if commune is None:
            raise ExampleDataError(f"commune inconnue : {own[index % len(own)]}")
        venues.append(Venue(uuid=_uuid(rng), name=name, address=address,
                            commune_code=commune.code, latitude=commune.lat,
                            longitude=commune.lon, capacity=capacity, accessibility=access))
    return venues


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS).astimezone(UTC)


def _events(rng: random.Random, venues: list[Venue], today: date) -> list[Event]:
    events = []
    for offset, hour, title, description, visibility, capacity in SINGLE_EVENTS:
        start = _local(today + timedelta(days=offset), hour)
        events.append(Event(uuid=_uuid(rng), title=title, description=description,
                            starts_at=start, ends_at=start + timedelta(hours=2),
                            venue=rng.choice(venues), capacity=capacity,
                            visibility=visibility.value))
    first_of_month = (today.replace(day=1) - timedelta(days=80)).replace(day=1)
    first_tuesday = first_of_month + timedelta(days=(1 - first_of_month.weekday()) % 7)
    start = _local(first_tuesday, 18, 30)
    events.append(Event(uuid=_uuid(rng), title="Rencontre du premier mardi",
                        description="Chaque premier mardi du mois : nouvelles, projets, entraide.",
                        starts_at=start, ends_at=start + timedelta(hours=2), venue=venues[1],
                        rrule=MONTHLY_RULE, visibility=Visibility.PUBLIC.value))
    return events


def _cancel_date_after_next(event: Event, now: datetime) -> None:
    """The series' date after next is cancelled alone, as organisers do over a holiday: the
    demo shows it struck out at the village and gone from the Pays."""
    if not event.rrule:
        return
    _, upcoming = _occurrences(event, now)
    local_start = event.starts_at.astimezone(PARIS).replace(tzinfo=None)
    following = rrulestr(event.rrule, dtstart=local_start).after(
        upcoming.astimezone(PARIS).replace(tzinfo=None))
    if following is not None:
        moment = following.replace(tzinfo=PARIS).astimezone(UTC)
        event.cancelled_dates = [moment.strftime("%Y%m%dT%H%M%SZ")]


def _occurrences(event: Event, now: datetime) -> tuple[list[datetime], datetime]:
    """Past occurrences of an event and its next one (a single event: itself)."""
    if not event.rrule:
        return ([event.starts_at] if event.starts_at <= now else [], event.starts_at)
    local_start = event.starts_at.astimezone(PARIS).replace(tzinfo=None)
    rule = rrulestr(event.rrule, dtstart=local_start)
    local_now = now.astimezone(PARIS).replace(tzinfo=None)
    past = [o.replace(tzinfo=PARIS).astimezone(UTC) for o in rule.between(local_start, local_now,
                                                                          inc=True)]
    upcoming = rule.after(local_now)
    nxt = upcoming.replace(tzinfo=PARIS).astimezone(UTC) if upcoming else past[-1]
    return past, nxt


def _within_capacity(event: Event, status: RsvpStatus, going: int) -> RsvpStatus:
    """"Going" once the places are taken is "waitlisted": example data never overbooks."""
    if status is RsvpStatus.GOING and event.capacity is not None and going >= event.capacity:
        return RsvpStatus.WAITLISTED
    return status


def _answers(rng: random.Random, event: Event, members: list[Member], now: datetime) -> int:
    """RSVPs for past occurrences (with attendance) and for the next one (with guests)."""
    past, upcoming = _occurrences(event, now)
    count = 0
    for when in past + ([upcoming] if upcoming > now else []):
        is_past = when <= now
        crowd = rng.sample(members, k=min(len(members), rng.randint(6, 24)))
        going = 0
        for rank, member in enumerate(crowd):
            status = rng.choices((RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.NOT_GOING),
                                 weights=(6, 2, 1))[0]
            status = _within_capacity(event, status, going)
            going += status is RsvpStatus.GOING
            attended = (rng.random() < 0.85) if is_past and status is RsvpStatus.GOING else None
            # One answer after another, as people really ask: the waitlist has an order.
            asked = min(when - timedelta(days=3), now - timedelta(days=2)) + timedelta(
                minutes=7 * rank)
            event.rsvps.append(Rsvp(occurrence_at=when, member=member, status=status.value,
                                    attended=attended, created_at=asked))
            count += 1
        if not is_past and event.visibility == Visibility.PUBLIC:
            number = rng.randint(1, 99)
            event.rsvps.append(Rsvp(
                occurrence_at=when, guest_name=f"Invité·e {number}",
                guest_email=f"invite.{number}.{event.uuid[:8]}@{EMAIL_DOMAIN}",
                guest_token_hash=hashlib.sha256(_uuid(rng).encode()).hexdigest(),
                status=_within_capacity(event, RsvpStatus.GOING, going).value,
                created_at=now - timedelta(days=1)))
            count += 1
    return count


ADDRESS_BOOK_NOTES = ("Rencontré·e au petit-déjeuner", "Pour le projet de l'école",
                      "Recommandé·e par une voisine", "")


def _address_books(rng: random.Random, members: list[Member]) -> list[AddressBookEntry]:
    """A few members keep others in their address book (ids needed: call after a flush)."""
    entries = []
    for owner in members[: min(12, len(members))]:
        others = [m for m in members if m.id != owner.id]
        for contact in rng.sample(others, k=min(len(others), rng.randint(1, 4))):
            entries.append(AddressBookEntry(owner_id=owner.id, contact_id=contact.id,
                                            note=rng.choice(ADDRESS_BOOK_NOTES)))
    return entries


def _worked_together(seed: int, members: list[Member], now: datetime) -> list[Cooperation]:
    """A few answered messages about listings, most ending in a « mise en relation
    réussie » over the last months, so the funders' figures have something to show. Written
    as rows (no notice: an example loaded must mail nobody); a generator of its own, so the
    rest of the example data stays what the seed always gave."""
    rng = random.Random(f"cooperation:{seed}")
    listed = [listing for member in members for listing in member.listings]
    found: list[Cooperation] = []
    for listing in rng.sample(listed, k=min(len(listed), 8)):
        sender = rng.choice([m for m in members if m.id != listing.member_id] or [None])
        if sender is None:
            continue
        when = now - timedelta(days=rng.randint(5, 300))
        reply = ListingReply(listing_id=listing.id, sender_id=sender.id,
                             body="Bonjour, je peux vous aider : quand êtes-vous disponible ?",
                             answer="Avec plaisir, appelez-moi cette semaine.",
                             created_at=when, answered_at=when + timedelta(hours=5))
        db.session.add(reply)
        db.session.flush()
        if rng.random() < 0.75:  # both said they worked together, a few days later
            confirmed = when + timedelta(days=rng.randint(3, 20))
            found.append(Cooperation(conversation=f"reply:{reply.uuid}",
                                     owner_said_at=confirmed - timedelta(days=1),
                                     other_said_at=min(confirmed, now),
                                     confirmed_at=min(confirmed, now)))
    return found


def has_example_data() -> bool:
    """Whether example members were already loaded into this node."""
    return db.session.scalars(db.select(Account.id).where(
        Account.email.like(f"%@{EMAIL_DOMAIN}")).limit(1)).first() is not None


def load_example_data(members: int = 40, seed: int = 1,
                      now: datetime | None = None) -> ExampleSummary:
    """Add invented members, venues, rencontres and RSVPs to this node, in one transaction."""
    community = db.session.scalars(db.select(Community).limit(1)).first()
    if community is None:
        raise ExampleDataError("ce nœud n'est pas initialisé : lancez d'abord « chaleur init ».")
    if has_example_data():
        raise ExampleDataError("les données d'exemple sont déjà chargées dans ce nœud.")
    if members < 1:
        raise ExampleDataError("indiquez au moins un membre.")
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    own, near = _nearby_codes(community)
    password_hash = hash_password(EXAMPLE_PASSWORD)
    accounts = [_member(rng, index, own, near, password_hash, now) for index in range(members)]
    venues = _venues(rng, own)
    events = _events(rng, venues, now.astimezone(PARIS).date())
    profiles = [account.member for account in accounts]
    rsvps = sum(_answers(rng, event, profiles, now) for event in events)
    for event in events:
        _cancel_date_after_next(event, now)
    db.session.add_all(accounts + venues + events)
    db.session.flush()
    db.session.add_all(_address_books(rng, profiles))
    load_example_decisions(rng, profiles, events, now)
    db.session.add_all(_worked_together(seed, profiles, now))
    load_example_questions(rng, profiles, now)
    shared_figures.refresh(now)  # the Pays shows the funders' figures at the first push
    db.session.flush()  # the caller (the ``example-data`` command) commits
    return ExampleSummary(members=members,
                          listings=sum(len(p.listings) for p in profiles),
                          venues=len(venues), events=len(events), rsvps=rsvps)

