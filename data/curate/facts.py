"""Tables built from the project's research notes (data/raw/facts/FACTS.md):
dated air-defence and tank events, and energy-damage indicators.

The rows were transcribed by hand into data/raw/facts/*.csv; curation checks
that every excerpt is found word for word in FACTS.md, so a transcription
cannot drift from the notes, then adds the Kiel Release 7 commitment rows.
"""

from __future__ import annotations

import pandas as pd

from .common import Table, bi, field, text_field, rel, source_url_field

RAW = "facts"
SYSTEMS = {  # Kiel main-data item -> system name used in the events table
    "National Advanced Surface-to-Air Missile System (NASAMS)": "NASAMS",
    "Iris-T SLM": "IRIS-T SLM",
    "Shorad Aspide anti-aircraft missile": "Aspide",
}
PRECISION = ["day", "month", "year"]
SITE_PUBLISHER = {"name": "Front de l'énergie / Energy Front (compilation); each row names its publisher",
                  "name_fr": "Front de l'énergie (compilation) ; chaque ligne nomme son éditeur"}
SITE_LICENCE = [{"name": "other-attribution",
                 "title": "Compilation: attribution requested; excerpts remain their publishers' words",
                 "title_fr": "Compilation : citation demandée ; les extraits restent les mots de leurs éditeurs"}]


def _read(raw, name, log) -> pd.DataFrame:
    path = raw / RAW / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    log.read(path, len(frame))
    notes = (raw / RAW / "FACTS.md").read_text(encoding="utf-8")
    missing = [r for r in frame.itertuples() if r.excerpt not in notes]
    if missing:
        raise ValueError(f"{rel(path)}: excerpt(s) not found word for word in FACTS.md: "
                         + "; ".join(repr(r.excerpt) for r in missing))
    return frame


def _precision_field() -> dict:
    return field("date_precision", "string", ("Date precision", "Précision de la date"),
                 ("day, or month/year when the source gives no exact day (the date is then the first day "
                  "of that month or year).",
                  "jour, ou mois/année quand la source ne donne pas le jour exact (la date est alors le premier "
                  "jour de ce mois ou de cette année)."), required=True, enum=PRECISION)


def events(raw, log) -> Table:
    notes = _read(raw, "air_defence_events.csv", log)
    notes["reference"] = "FACTS.md " + notes.pop("facts_ref")
    main_path = raw / "kiel_ust_release7_2022" / "ust_r7_bilateral_main_data.csv"
    main = pd.read_csv(main_path, dtype=str, keep_default_na=False)
    kiel = main[main["Item"].str.strip().isin(SYSTEMS)
                & main["Announcement Date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")].copy()
    log.note(f"{len(kiel)} Kiel Release 7 commitment rows for NASAMS, IRIS-T SLM and Aspide "
             f"taken from {rel(main_path)}")
    units = pd.to_numeric(kiel["No. of Units"], errors="coerce")
    system = kiel["Item"].str.strip().map(SYSTEMS)
    kiel_rows = pd.DataFrame({
        "event_id": [f"kiel-r7-{i.lower()}-{s.lower().replace(' ', '-')}-{d}"
                     for i, s, d in zip(kiel["ID"], system, kiel["Announcement Date"])],
        "date": kiel["Announcement Date"], "date_precision": "day",
        "donor": kiel["countries"].str.strip(), "system": system,
        "units": units.astype("Int64").astype(str).replace("<NA>", ""),
        "event_type": "committed",
        "detail": [f"Kiel tracker commitment, package {i}: {item.strip()}"
                   + ("" if u == u else " (number undisclosed)")
                   for i, item, u in zip(kiel["ID"], kiel["Item"], units)],
        # Kiel's Explanation cells describe whole packages (a page of text): quote the row's own cells.
        "excerpt": [f"Item: {item.strip()}; No. of Units: {u.strip()}; No. of Units delivered: {d.strip()}"
                    for item, u, d in zip(kiel["Item"], kiel["No. of Units"],
                                          kiel["No. of Units delivered (in-kind military aid)"])],
        "publisher": "Kiel Institute for the World Economy (Ukraine Support Tracker, Release 7)",
        "source_url": kiel["Source of Aid 1"].str.strip(),
        "reference": "Kiel R7 main data, package " + kiel["ID"],
    })
    frame = pd.concat([notes, kiel_rows], ignore_index=True)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["units"] = pd.to_numeric(frame["units"]).astype("Int64")
    frame = frame.sort_values(["date", "system", "donor", "event_id"]).reset_index(drop=True)
    log.kept("air_defence_events", len(frame))
    resource = {
        "name": "air_defence_events",
        **bi("Air defence and tanks for Ukraine: commitments, announcements and arrivals, 2022",
             "Défense aérienne et chars pour l'Ukraine : promesses, annonces et arrivées, 2022", "title"),
        **bi("Dated events for NASAMS, Aspide, Hawk, IRIS-T SLM and the refurbished T-72B tanks: when each "
             "system was committed (Kiel tracker), announced or reported delivered, with the publisher and "
             "link for each row.",
             "Événements datés pour les NASAMS, Aspide, Hawk, IRIS-T SLM et les chars T-72B remis à neuf : "
             "quand chaque système a été promis (tracker de Kiel), annoncé ou déclaré livré, avec l'éditeur et "
             "le lien de chaque ligne.", "description"),
        "publisher": SITE_PUBLISHER, "licenses": SITE_LICENCE,
        "citation": "Compiled by Front de l'énergie / Energy Front from the publishers named on each row.",
        "release": "Compiled from the project's research notes",
        "release_fr": "Compilé à partir des notes de recherche du projet", "as_of": "2022-11-08",
        "temporal": {"start": "2022-06-01", "end": "2022-11-30"},
        "caveats_en": [
            "Events are as reported by the named publisher; units are empty where the report gives no number.",
            "'committed' rows come from the Kiel tracker (data to 3 Oct 2022); 'announced' and 'delivered' "
            "rows from press reports.",
            "The IRIS-T handover is dated to the month only: the stored report does not show the day.",
            "Rows are events, not a running total: do not add units across rows.",
        ],
        "caveats_fr": [
            "Les événements sont tels que rapportés par l'éditeur nommé ; le nombre est vide quand le compte "
            "rendu n'en donne pas.",
            "Les lignes « committed » viennent du tracker de Kiel (données au 3 oct. 2022) ; « announced » et "
            "« delivered » de la presse.",
            "La remise du premier IRIS-T n'est datée qu'au mois : le compte rendu conservé ne montre pas le jour.",
            "Chaque ligne est un événement, pas un cumul : n'additionnez pas les unités entre lignes.",
        ],
        "schema": {"fields": [
            text_field("event_id", "Event", "Événement", "Stable identifier of the event.",
                 "Identifiant stable de l'événement.", required=True, unique=True, pattern="[a-z0-9-]+"),
            field("date", "date", ("Date", "Date"), ("Date of the commitment, announcement or arrival.",
                  "Date de la promesse, de l'annonce ou de l'arrivée."), required=True),
            _precision_field(),
            text_field("donor", "Donor", "Donateur", "Donor government.", "Gouvernement donateur.", required=True),
            text_field("system", "System", "Système", "Weapon system.", "Système d'arme.", required=True,
                 enum=["Aspide", "Hawk", "IRIS-T SLM", "NASAMS", "T-72B"]),
            field("units", "integer", ("Units", "Unités"), ("Units concerned; empty when not reported.",
                  "Unités concernées ; vide si non précisé."), unit="units", minimum=0),
            text_field("event_type", "Event type", "Type d'événement",
                 "committed (recorded pledge), announced (public announcement) or delivered (reported arrival "
                 "or handover).", "committed (promesse enregistrée), announced (annonce publique) ou delivered "
                 "(arrivée ou remise rapportée).", required=True, enum=["announced", "committed", "delivered"]),
            text_field("detail", "Detail", "Détail", "What happened, in a sentence.", "Ce qui s'est passé, en une "
                 "phrase.", required=True),
            text_field("excerpt", "Excerpt", "Extrait", "Words of the source as stored in the research notes, or the "
                 "Kiel row's own cells.", "Mots de la source tels que conservés dans les notes de recherche, ou "
                 "les cellules de la ligne de Kiel.", required=True),
            text_field("publisher", "Publisher", "Éditeur", "Who published it.", "Qui l'a publié.", required=True),
            source_url_field(),
            text_field("reference", "Reference", "Référence", "Where the row comes from in data/raw.",
                 "Origine de la ligne dans data/raw.", required=True),
        ], "primaryKey": ["event_id"]},
    }
    return Table("air_defence_events", frame, resource)


INDICATORS = {
    "power_stations_destroyed_share": "percent", "energy_infrastructure_damaged_share": "percent",
    "energy_system_disabled_share": "percent", "substations_damaged_share": "percent",
    "people_without_power": "people", "damage_usd_bn": "usd_bn", "damage_and_losses_usd_bn": "usd_bn",
    "repair_needs_usd_bn": "usd_bn", "damage_multiple_of_june_2022": "ratio",
    "capacity_occupied_gw": "gw", "capacity_lost_gw": "gw", "installed_capacity_gw": "gw",
    "available_capacity_gw": "gw",
}


def energy(raw, log) -> Table:
    frame = _read(raw, "energy_damage_indicators.csv", log)
    wrong = frame[frame["indicator"].map(INDICATORS) != frame["unit"]]
    if len(wrong):
        raise ValueError(f"{rel(raw / RAW / 'energy_damage_indicators.csv')}: unit does not match indicator "
                         f"for {wrong.fact_id.tolist()}")
    frame["reference"] = "FACTS.md " + frame.pop("facts_ref")
    frame["date"] = pd.to_datetime(frame["date"])
    for col in ("value", "value_max"):
        frame[col] = pd.to_numeric(frame[col])
    frame = frame.sort_values(["date", "indicator", "fact_id"]).reset_index(drop=True)
    log.kept("energy_damage_indicators", len(frame), f"{frame.indicator.nunique()} indicators")
    resource = {
        "name": "energy_damage_indicators",
        **bi("Damage to Ukraine's energy system: indicators as stated, 2022-2024",
             "Dégâts au système énergétique ukrainien : indicateurs tels que déclarés, 2022-2024", "title"),
        **bi("Share of power stations or energy infrastructure destroyed or damaged, people without power, "
             "assessed damage in US$ billion and generating capacity lost, each as stated by a named person or "
             "institution and reported by a named publisher. Where sources disagree, each count is a row.",
             "Part des centrales ou des infrastructures énergétiques détruites ou endommagées, personnes privées "
             "d'électricité, dégâts évalués en milliards de dollars et capacité de production perdue, chaque "
             "valeur telle que déclarée par une personne ou une institution nommée et rapportée par un éditeur "
             "nommé. Quand les sources divergent, chaque décompte est une ligne.", "description"),
        "publisher": SITE_PUBLISHER, "licenses": SITE_LICENCE,
        "citation": "Compiled by Front de l'énergie / Energy Front from the publishers named on each row.",
        "release": "Compiled from the project's research notes",
        "release_fr": "Compilé à partir des notes de recherche du projet", "as_of": "2024-06-10",
        "temporal": {"start": "2016-01-01", "end": "2024-06-30"},
        "caveats_en": [
            "Values are claims by the person or institution in who_said, not measurements; definitions differ "
            "(power stations, energy infrastructure, energy system).",
            "Where sources disagree both rows are kept; compare like with like (same indicator and scope).",
            "Ranges keep their low end in value and high end in value_max; qualifier keeps 'more than', "
            "'about', 'nearly'.",
            "Zelensky's 4.5 and 10 million are people without power at that moment; UNDP's 12 million is "
            "cumulative ('no or limited electricity').",
        ],
        "caveats_fr": [
            "Les valeurs sont des déclarations de la personne ou de l'institution de who_said, pas des mesures ; "
            "les définitions diffèrent (centrales, infrastructures énergétiques, système énergétique).",
            "Quand les sources divergent, les deux lignes sont gardées ; comparez ce qui est comparable (même "
            "indicateur, même périmètre).",
            "Une fourchette garde sa borne basse dans value et sa borne haute dans value_max ; qualifier garde "
            "« plus de », « environ », « près de ».",
            "Les 4,5 et 10 millions de Zelensky sont des personnes sans courant à un instant donné ; les "
            "12 millions du PNUD sont un cumul (« pas ou peu d'électricité »).",
        ],
        "rules": [{"rule": "less_or_equal", "field": "value", "other": "value_max"}],
        "schema": {"fields": [
            text_field("fact_id", "Fact", "Fait", "Stable identifier.", "Identifiant stable.", required=True,
                 unique=True, pattern="[a-z0-9-]+"),
            field("date", "date", ("Date", "Date"), ("Date the figure was stated or refers to.",
                  "Date à laquelle le chiffre a été donné ou à laquelle il se rapporte."), required=True),
            _precision_field(),
            text_field("indicator", "Indicator", "Indicateur", "What is measured.", "Ce qui est mesuré.",
                 required=True, enum=sorted(INDICATORS)),
            text_field("scope", "Scope", "Périmètre", "Exactly what the figure covers.",
                 "Ce que le chiffre couvre exactement.", required=True),
            field("value", "number", ("Value", "Valeur"), ("The figure (low end of a range), in unit.",
                  "Le chiffre (borne basse d'une fourchette), dans l'unité indiquée."), unit="see column unit",
                  required=True, minimum=0),
            field("value_max", "number", ("Upper value", "Valeur haute"), ("High end of a range, if any.",
                  "Borne haute d'une fourchette, le cas échéant."), unit="see column unit", minimum=0),
            text_field("qualifier", "Qualifier", "Qualificatif", "exact, about, nearly, more_than, at_least or range.",
                 "exact, about (environ), nearly (près de), more_than (plus de), at_least (au moins) ou range "
                 "(fourchette).", required=True,
                 enum=["about", "at_least", "exact", "more_than", "nearly", "range"]),
            text_field("unit", "Unit", "Unité", "percent, people, usd_bn (US$ billion), gw (gigawatts) or ratio.",
                 "percent, people (personnes), usd_bn (milliards de dollars US), gw (gigawatts) ou ratio.",
                 required=True, enum=sorted(set(INDICATORS.values()))),
            text_field("who_said", "Who said it", "Qui l'a dit", "Person or institution whose count it is.",
                 "Personne ou institution à qui appartient ce décompte.", required=True),
            text_field("publisher", "Publisher", "Éditeur", "Who published it.", "Qui l'a publié.", required=True),
            source_url_field(),
            text_field("excerpt", "Excerpt", "Extrait", "Words supporting the value, as stored in the research notes.",
                 "Mots à l'appui de la valeur, tels que conservés dans les notes de recherche.", required=True),
            text_field("reference", "Reference", "Référence", "Section of the research notes (data/raw/facts/FACTS.md).",
                 "Section des notes de recherche (data/raw/facts/FACTS.md).", required=True),
        ], "primaryKey": ["fact_id"]},
    }
    cols = [f["name"] for f in resource["schema"]["fields"]]
    return Table("energy_damage_indicators", frame[cols], resource)


def build(raw, log) -> list[Table]:
    return [events(raw, log), energy(raw, log)]
