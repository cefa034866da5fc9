"""A labelled table of invented needs and offers of the Pays de Saverne, written for the
matching tests: each need names the offer that answers it best. It is built to be hard in the
ways people write here: synonyms (« expert-comptable » for « comptabilité »), misspellings
(« menusier », « plombié »), German and Alsatian trade names (« Schriner », « Hafner »,
« Dachdecker »), and offers that share words without answering (« bois » for firewood and
for a joiner). Communes are real INSEE codes; people and texts are invented.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    key: str
    text: str
    commune: str
    skills: tuple[str, ...] = ()


SPARSBACH, SAVERNE, MARMOUTIER, PHALSBOURG = "67475", "67437", "67283", "57540"
WESTHOUSE, DETTWILLER, INGWILLER, BOUXWILLER = "67527", "67089", "67222", "67061"
HOCHFELDEN, WASSELONNE, SARREBOURG, HAGUENAU = "67202", "67520", "57630", "67180"

OFFERS = (
    Entry("menuisier", "Ébéniste, je fabrique des meubles sur mesure et des cuisines en chêne",
          SPARSBACH),
    Entry("schreiner", "Schreinerei Wolff : Fenster, Türen und Treppen aus Holz", PHALSBOURG),
    Entry("charpentier", "Charpentier, ossature bois et extensions de maisons", INGWILLER),
    Entry("bois-chauffage", "Je vends du bois de chauffage sec, livré en stères", BOUXWILLER),
    Entry("comptable", "Expert-comptable pour artisans et micro-entreprises, bilans et TVA",
          SAVERNE),
    Entry("buchhalter", "Buchhaltung und Lohnabrechnung für kleine Betriebe", SARREBOURG),
    Entry("plombier", "Plombier chauffagiste : salle de bain, chaudière, pompe à chaleur",
          DETTWILLER),
    Entry("electricien", "Électricien, mise aux normes et dépannage", MARMOUTIER),
    Entry("couvreur", "Couvreur zingueur, réparation de toiture et gouttières", HOCHFELDEN),
    Entry("graphiste", "Graphiste : logos, identité visuelle, mise en page de flyers",
          WESTHOUSE),
    Entry("photographe", "Photographe, reportages d'entreprise et portraits", SAVERNE),
    Entry("webdev", "Je crée des sites vitrines pour les commerces et artisans", WASSELONNE),
    Entry("informatique", "Dépannage informatique à domicile, virus, ordinateur lent",
          HAGUENAU),
    Entry("traductrice", "Traductrice allemand-français, documents techniques et contrats",
          SARREBOURG),
    Entry("alsacien", "Cours d'alsacien pour débutants, le mardi soir", BOUXWILLER),
    Entry("couturiere", "Couturière : retouches, ourlets, rideaux", MARMOUTIER),
    Entry("tapissier", "Tapissier, je refais l'assise de vos fauteuils et chaises", INGWILLER),
    Entry("boulanger", "Paysan boulanger, pain au levain cuit au feu de bois", WESTHOUSE),
    Entry("metzger", "Metzgerei : Fleisch und Wurst vom Bauernhof", PHALSBOURG),
    Entry("maraicher", "Maraîchère en permaculture, paniers de légumes chaque semaine",
          SPARSBACH),
    Entry("paysagiste", "Paysagiste : taille de haies, élagage, entretien de jardins",
          DETTWILLER),
    Entry("apiculteur", "Apiculteur, miel de sapin et pollinisation de vergers", WASSELONNE),
    Entry("potiere", "Potière, vaisselle en grès et cours de tournage", SAVERNE),
    Entry("velo", "Réparation de vélos et vélos électriques, atelier mobile", HOCHFELDEN),
    Entry("garage", "Garagiste indépendant, entretien et vidange de voitures", HAGUENAU),
    Entry("formatrice", "Formatrice bureautique, cours particuliers Excel et Word", SAVERNE),
    Entry("rh", "Consultante RH, recrutement et fiches de paie", WASSELONNE),
    Entry("communication", "Community manager, j'anime vos réseaux sociaux", SPARSBACH),
    Entry("secretaire", "Secrétaire indépendante, gestion administrative et devis",
          MARMOUTIER),
    Entry("hafner", "Hafner, Kachelofen und Holzöfen, Einbau und Reparatur", SARREBOURG),
    Entry("ramoneur", "Ramonage de cheminées et conduits", INGWILLER),
    Entry("macon", "Maçon, murets en pierre et dalles de béton", BOUXWILLER),
    Entry("sophrologue", "Sophrologue, séances de relaxation pour le stress au travail",
          WESTHOUSE),
    Entry("assmat", "Assistante maternelle agréée, deux places libres", SPARSBACH),
    Entry("beton-pret", "Je prête ma bétonnière et une remorque le week-end", DETTWILLER),
    Entry("traiteur", "Traiteur pour mariages et repas d'entreprise", HOCHFELDEN),
)

#: (need text, commune, key of the offer that answers it best)
NEEDS = (
    ("Je cherche un menusier pour une bibliothèque sur mesure", MARMOUTIER, "menuisier"),
    ("Cherche Schriner pour un escalier en bois", PHALSBOURG, "schreiner"),
    ("Besoin d'un comptable pour ma micro-entreprise", SPARSBACH, "comptable"),
    ("Qui connaît un bon expert comptable ? Mon bilan est en retard", DETTWILLER,
     "comptable"),
    ("Steuerberater oder Buchhalter gesucht für kleine Firma", SARREBOURG, "buchhalter"),
    ("Fuite sous l'évier, cherche plombié rapidement", SAVERNE, "plombier"),
    ("Installateur gesucht, Heizung defekt", DETTWILLER, "plombier"),
    ("Mon tableau électrique disjoncte, besoin d'un électricien", WESTHOUSE, "electricien"),
    ("Dachdecker gesucht: Ziegel kaputt nach dem Sturm", HOCHFELDEN, "couvreur"),
    ("Besoin d'un logo pour ma boulangerie, cherche graphsite", SAVERNE, "graphiste"),
    ("Cherche photographe pour photos de mes créations", WESTHOUSE, "photographe"),
    ("Je voudrais un site internet pour mon gîte", WASSELONNE, "webdev"),
    ("Mon ordinateur ne démarre plus, dépanage informatique", HAGUENAU, "informatique"),
    ("Cherche interprète allemand pour un rendez-vous client", PHALSBOURG, "traductrice"),
    ("Je veux apprendre le platt", INGWILLER, "alsacien"),
    ("Qui pourrait faire des retouches sur une veste ?", SPARSBACH, "couturiere"),
    ("Refaire l'assise de six chaises anciennes, cherche tapisier", MARMOUTIER, "tapissier"),
    ("Pain au levain pour l'épicerie du village", SPARSBACH, "boulanger"),
    ("Metzger gesucht für ein Dorffest", PHALSBOURG, "metzger"),
    ("Cherche légumes bio en paniers pour notre cantine", WESTHOUSE, "maraicher"),
    ("Besoin d'un jardinier pour tailler une haie", SAVERNE, "paysagiste"),
    ("Je cherche du miel local pour mes paniers garnis", WASSELONNE, "apiculteur"),
    ("Cours de poterie pour un atelier d'enfants", SAVERNE, "potiere"),
    ("Mon vélo électrique a un problème de frein", HOCHFELDEN, "velo"),
    ("Cherche garagiste honnête pour la vidange de la camionnette", HAGUENAU, "garage"),
    ("Formation Excel pour ma secrétaire", SAVERNE, "formatrice"),
    ("Aide pour recrutement d'un premier salarié", WASSELONNE, "rh"),
    ("Quelqu'un pour gérer nos réseaux sociaux ?", SPARSBACH, "communication"),
    ("Besoin d'une assistante administrative deux jours par mois", MARMOUTIER, "secretaire"),
    ("Kachelofen zu reparieren, Hafner gesucht", SARREBOURG, "hafner"),
    ("Ramoneur pour le conduit du poêle avant l'hiver", INGWILLER, "ramoneur"),
    ("Mürer fir e Mür im Hof", BOUXWILLER, "macon"),
    ("Sophrologie pour gérer le stress, des séances ?", WESTHOUSE, "sophrologue"),
    ("Cherche nounou pour mon fils de deux ans", SPARSBACH, "assmat"),
    ("Quelqu'un peut me prêter une bétonnière ?", DETTWILLER, "beton-pret"),
    ("Bois de chauffage pour l'hiver, trois stères", BOUXWILLER, "bois-chauffage"),
    ("Charpentier pour une extension ossature bois", INGWILLER, "charpentier"),
    ("Repas pour cinquante personnes, cherche traiteur", HOCHFELDEN, "traiteur"),
)
