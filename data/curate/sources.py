"""The ``sources`` table: one row per upstream dataset, referenced by the
``source_id`` column of tables whose rows have no individual source link."""

from __future__ import annotations

import pandas as pd

from .common import Table, bi, field, URL_PATTERN

KIEL_CITATION = (
    "Antezza, A., Bushnell, K., Frank, A., Frank, P., Franz, L., Kharitonov, I., Kumar, B., "
    "Rebinskaya, E. & Trebesch, C. (2022). \"The Ukraine Support Tracker: Which countries help "
    "Ukraine and how?\". Kiel Working Paper, No. 2218, 1-65."
)
KIEL_HOME = "https://www.ifw-kiel.de/topics/war-against-ukraine/ukraine-support-tracker/"
UNCLEAR = "Unclear, attribution requested"
UNCLEAR_FR = "Incertaine, citation demandée"
KIEL_FR = "Institut de Kiel pour l'économie mondiale"

SOURCES = [
    {
        "source_id": "kiel_ust_r7",
        "publisher": "Kiel Institute for the World Economy",
        "publisher_fr": KIEL_FR,
        "title": "Ukraine Support Tracker, Release 7 (data 24 Jan to 3 Oct 2022)",
        "url": KIEL_HOME,
        "retrieved_from": "https://github.com/Largopie/analysis-of-Influence-Russia-Ukraine-war/"
                          "blob/ff8e122fabaa0444caf9854f9d13de4d732033b7/data/Ukraine_Support_Tracker.xlsx",
        "licence": UNCLEAR,
        "licence_fr": UNCLEAR_FR,
        "as_of": "2022-10-03",
    },
    {
        "source_id": "kiel_ust_r29",
        "publisher": "Kiel Institute for the World Economy",
        "publisher_fr": KIEL_FR,
        "title": "Ukraine Support Tracker, Release 29 (04/2026), tracker website chart data",
        "url": KIEL_HOME,
        "retrieved_from": "https://github.com/UkraineSupportTrackerWebsite/ukraine-support-tracker/"
                          "tree/ddf24c0f8f36dbe0ffb85822d5f45a732440a617/data",
        "licence": UNCLEAR,
        "licence_fr": UNCLEAR_FR,
        "as_of": "2026-04-30",
    },
    {
        "source_id": "missile_attacks_ua",
        "publisher": "Petro Ivaniuk (Kaggle: piterfm), from Ukrainian Air Force reports",
        "publisher_fr": "Petro Ivaniuk (Kaggle : piterfm), d'après les communiqués de l'armée de l'air ukrainienne",
        "title": "Massive Missile Attacks on Ukraine",
        "url": "https://www.kaggle.com/datasets/piterfm/massive-missile-attacks-on-ukraine",
        "retrieved_from": "https://github.com/DTL-DA/Massive-Missile-Attacks-on-Ukraine-EndtoEnd/"
                          "tree/60190a89eedcb3952e046e5fae1c3c4e9ae29dd7",
        "licence": UNCLEAR,
        "licence_fr": UNCLEAR_FR,
        "as_of": "2026-03-01",
    },
    {
        "source_id": "chernivtsi_outages",
        "publisher": "Chernivtsioblenergo, scraped by Denys Dovhan",
        "publisher_fr": "Tchernivtsioblenergo, collecté par Denys Dovhan",
        "title": "Chernivtsi power outage schedules (chernivtsi-outages)",
        "url": "https://oblenergo.cv.ua/shutdowns/",
        "retrieved_from": "https://github.com/denysdovhan/chernivtsi-outages/"
                          "tree/ca09daadbe3646175aa1b681fb33d0514c08f6e7/outages/history",
        "licence": "MIT (repository README)",
        "licence_fr": "MIT (README du dépôt)",
        "as_of": "2023-03-22",
    },
]


def build(log) -> list[Table]:
    frame = pd.DataFrame(SOURCES)
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame = frame.sort_values("source_id").reset_index(drop=True)
    schema = {
        "fields": [
            field("source_id", "string", ("Source key", "Clé de la source"),
                  ("Short key used by other tables.", "Clé courte utilisée par les autres tables."),
                  required=True, unique=True, pattern="[a-z0-9_]+"),
            field("publisher", "string", ("Publisher", "Éditeur"),
                  ("Who published the data.", "Qui a publié les données."), required=True),
            field("publisher_fr", "string", ("Publisher, in French", "Éditeur, en français"),
                  ("The publisher's name as French pages show it.", "Le nom de l'éditeur sur les pages en français."),
                  required=True),
            field("title", "string", ("Title", "Titre"),
                  ("Name and release of the upstream dataset.", "Nom et version du jeu de données d'origine."),
                  required=True),
            field("url", "string", ("Publisher page", "Page de l'éditeur"),
                  ("Where the publisher presents the data.", "Où l'éditeur présente les données."),
                  fmt="uri", required=True, pattern=URL_PATTERN),
            field("retrieved_from", "string", ("Copy used", "Copie utilisée"),
                  ("Exact copy (repository and commit) that curation started from.",
                   "Copie exacte (dépôt et commit) dont part la curation."),
                  fmt="uri", required=True, pattern=URL_PATTERN),
            field("licence", "string", ("Licence", "Licence"),
                  ("Licence as far as it could be established.", "Licence, pour autant qu'on ait pu l'établir."),
                  required=True),
            field("licence_fr", "string", ("Licence, in French", "Licence, en français"),
                  ("The licence as French pages name it.", "La licence telle que la nomment les pages en français."),
                  required=True),
            field("as_of", "date", ("As of", "Arrêté au"),
                  ("Last date covered by that release.", "Dernière date couverte par cette version."),
                  required=True),
        ],
        "primaryKey": ["source_id"],
    }
    resource = {
        "name": "sources",
        **bi("Sources of the curated tables",
             "Sources des tables préparées", "title"),
        **bi("Upstream datasets behind the curated tables: publisher, licence, release and the exact copy used. "
             "Tables without a link on every row point here through their source_id column.",
             "Les jeux de données d'origine des tables préparées : éditeur, licence, version et copie exacte "
             "utilisée. Les tables sans lien sur chaque ligne y renvoient par leur colonne source_id.",
             "description"),
        "publisher": {"name": "Front de l'énergie / Energy Front", "name_fr": "Front de l'énergie"},
        "licenses": [{"name": "other-attribution", "title": "Attribution to each listed publisher",
                      "title_fr": "Citer chaque éditeur de la liste"}],
        "release": "",
        "as_of": "2026-04-30",
        "temporal": {"start": "2022-10-03", "end": "2026-04-30"},
        "caveats_en": ["Licences are as stated or implied by the upstream copies; confirm them before reuse."],
        "caveats_fr": ["Les licences sont celles indiquées ou sous-entendues par les copies d'origine ; "
                       "vérifiez-les avant réutilisation."],
        "schema": schema,
    }
    log.kept("sources", len(frame))
    return [Table("sources", frame, resource)]
