"""The labelled search table: invented people of two villages, and what a search for each
query must find — the words people here use for a trade, with or without accents, in the
plural, in German, as a synonym. The node's member search and the Pays directory (SQLite
and PostgreSQL) are all checked against the same table.

Each person: (name, trade, skills). Bios and listings are left out on purpose: the village
node searches a member's offer titles but not their bio, the Pays searches the bio and keeps
listings apart, and the table must mean the same everywhere.
"""

from __future__ import annotations

from typing import NamedTuple


class Person(NamedTuple):
    name: str
    trade: str
    skills: tuple[str, ...] = ()


SPARSBACH_PEOPLE = (
    Person("Jean Lehmann", "Menuisier", ("Escaliers", "Fenêtres bois")),
    Person("Sophie Klein", "Menuisière", ("Menuiserie",)),
    Person("Chloé Weber", "Ébéniste", ("Marqueterie", "Restauration de meubles")),
    Person("Lucie Haas", "Agenceuse", ("Agencement de magasins",)),
    Person("Paul Schreiner", "Couvreur", ("Zinguerie",)),
    Person("Marc Fischer", "Graphiste", ("Mise en page", "Logos")),
    Person("Inès Roth", "Infographiste", ("Affiches",)),
    Person("Hugo Meyer", "Expert-comptable", ("Bilan", "TVA")),
    Person("Anne Kuntz", "Comptable", ("Paie",)),
    Person("Léa Wolff", "Traductrice", ("Allemand", "Alsacien")),
    Person("Zoé Marchal", "Photographe", ("Portrait", "Drone")),
    Person("Victor Koenig", "Développeur web", ("Sites vitrines", "Python")),
    Person("Salomé Huber", "Couturière", ("Retouches", "Costumes")),
    Person("Nathan Becker", "Boulanger", ("Pain au levain",)),
    Person("Agathe Muller", "Pâtissière", ("Kougelhopf",)),
)
WESTHOUSE_PEOPLE = (
    Person("Erwan Metz", "Plombier chauffagiste", ("Pompe à chaleur",)),
    Person("Clémence Ott", "Électricienne", ("Domotique",)),
    Person("Romain Vogt", "Maraîcher", ("Légumes bio", "Permaculture")),
    Person("Justine Hoff", "Paysagiste", ("Élagage",)),
    Person("Bastien Jung", "Apiculteur", ("Miel de sapin",)),
    Person("Lina Hartmann", "Céramiste", ("Émaux",)),
    Person("Quentin Zimmer", "Charpentier", ("Ossature bois",)),
    Person("Margaux Frey", "Tapissière", ("Fauteuils",)),
    Person("Gaspard Keller", "Forgeron", ("Ferronnerie d'art",)),
    Person("Maëlle Schott", "Sophrologue", ()),
    Person("Jules Fuchs", "Architecte", ("Maisons à colombages",)),
    Person("Élise Brandt", "Schreinerin", ("Möbel nach Maß",)),
    Person("Yasmine Braun", "Grafikdesignerin", ("Plakate",)),
    Person("Tom Gross", "Interprète", ("Deutsch",)),
    Person("Odile Bauer", "Secrétaire indépendante", ("Facturation",)),
)
PEOPLE = SPARSBACH_PEOPLE + WESTHOUSE_PEOPLE

JOINERS = {"Jean Lehmann", "Sophie Klein", "Chloé Weber", "Lucie Haas", "Élise Brandt"}
GRAPHIC = {"Marc Fischer", "Inès Roth", "Yasmine Braun"}
ACCOUNTING = {"Hugo Meyer", "Anne Kuntz"}

#: (label, query, names it must find: exactly these).
TABLE: tuple[tuple[str, str, frozenset[str]], ...] = tuple(
    (label, query, frozenset(found)) for label, query, found in (
        ("trade as written", "menuisier", JOINERS),
        ("feminine form", "menuisière", JOINERS),
        ("feminine without accent", "menuisiere", JOINERS),
        ("plural", "menuisiers", JOINERS),
        ("capitals", "MENUISIER", JOINERS),
        ("synonym: ébéniste", "ébéniste", JOINERS),
        ("synonym without accents", "ebeniste", JOINERS),
        ("synonym: agenceur (masc. of a feminine trade)", "agenceur", JOINERS),
        ("skill family: menuiserie", "menuiserie", JOINERS),
        ("German: Schreiner finds joiners, never Paul Schreiner the roofer through it",
         "Schreiner", JOINERS | {"Paul Schreiner"}),
        ("German: Tischler", "Tischler", JOINERS),
        ("prefix still works", "menuis", {"Jean Lehmann", "Sophie Klein"}),
        ("accountant", "comptable", ACCOUNTING),
        ("expert-comptable as two words", "expert comptable", ACCOUNTING),
        ("expert-comptable hyphenated", "expert-comptable", ACCOUNTING),
        ("comptabilité (skill word)", "comptabilité", ACCOUNTING),
        ("comptabilite without accent", "comptabilite", ACCOUNTING),
        ("German: Steuerberater", "Steuerberater", ACCOUNTING),
        ("German: Buchhalterin", "Buchhalterin", ACCOUNTING),
        ("graphic designer", "graphiste", GRAPHIC),
        ("infographiste finds graphistes", "infographiste", GRAPHIC),
        ("graphisme", "graphisme", GRAPHIC),
        ("mise en page, a graphic skill", "mise en page", GRAPHIC),
        ("PAO", "PAO", GRAPHIC),
        ("German: Grafiker", "Grafiker", GRAPHIC),
        ("translation skill finds translators and interpreters", "traduction",
         {"Léa Wolff", "Tom Gross"}),
        ("interpreter", "interprète", {"Léa Wolff", "Tom Gross"}),
        ("German: Dolmetscher", "Dolmetscher", {"Léa Wolff", "Tom Gross"}),
        ("language: German", "allemand", {"Léa Wolff", "Tom Gross"}),
        ("language in German", "Deutsch", {"Léa Wolff", "Tom Gross"}),
        ("dialect", "Elsässisch", {"Léa Wolff"}),
        ("photo", "photo", {"Zoé Marchal"}),
        ("German: Fotograf", "Fotograf", {"Zoé Marchal"}),
        ("website", "site web", {"Victor Koenig"}),
        ("German: Webentwickler", "Webentwickler", {"Victor Koenig"}),
        ("sewing", "couture", {"Salomé Huber"}),
        ("German: Schneiderin", "Schneiderin", {"Salomé Huber"}),
        ("baker", "boulangère", {"Nathan Becker", "Agathe Muller"}),
        ("German: Bäcker (not Becker the name)", "Bäcker", {"Nathan Becker", "Agathe Muller"}),
        ("name search", "becker", {"Nathan Becker"}),
        ("plumber", "plombier", {"Erwan Metz"}),
        ("heating finds the plumber", "chauffage", {"Erwan Metz"}),
        ("German: Installateur", "Installateur", {"Erwan Metz"}),
        ("electrician", "électricien", {"Clémence Ott"}),
        ("German: Elektriker", "Elektriker", {"Clémence Ott"}),
        ("market gardener, masculine of a feminine query", "maraîchère", {"Romain Vogt"}),
        ("permaculture", "permaculture", {"Romain Vogt"}),
        ("gardener finds the landscaper", "jardinier", {"Justine Hoff"}),
        ("German: Gärtner", "Gärtner", {"Justine Hoff"}),
        ("honey finds the beekeeper", "miel", {"Bastien Jung"}),
        ("German: Imker", "Imker", {"Bastien Jung"}),
        ("potter finds the ceramicist", "potière", {"Lina Hartmann"}),
        ("German: Töpfer", "Töpfer", {"Lina Hartmann"}),
        ("carpenter", "charpentier", {"Quentin Zimmer"}),
        ("German: Zimmermann", "Zimmermann", {"Quentin Zimmer"}),
        ("upholsterer", "tapissier", {"Margaux Frey"}),
        ("blacksmith via ferronnerie", "ferronnier", {"Gaspard Keller"}),
        ("German: Schmied", "Schmied", {"Gaspard Keller"}),
        ("sophrologie", "sophrologie", {"Maëlle Schott"}),
        ("architect", "architectes", {"Jules Fuchs"}),
        ("roofer", "couvreur", {"Paul Schreiner"}),
        ("two terms: both must match", "menuisier escaliers", {"Jean Lehmann"}),
        ("two trades: nobody is both", "menuisier graphiste", set()),
        ("trade and a name", "ebeniste chloe", {"Chloé Weber"}),
        ("secretary", "secrétariat", {"Odile Bauer"}),
        ("nobody", "vitrailliste", set()),
    ))
