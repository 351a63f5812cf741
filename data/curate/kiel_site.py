"""Kiel Ukraine Support Tracker, Release 29 (data to 30 Apr 2026), from the
tracker website's chart CSVs: monthly allocations (all donors and by donor)
and cumulative heavy-weapon allocations."""

from __future__ import annotations

import re

import pandas as pd

from .common import Table, bi, field, month_start, rel, source_fk, source_id_field
from .sources import KIEL_FR, KIEL_HOME, UNCLEAR, UNCLEAR_FR

RAW = "kiel_ust_website"
LICENCE = [{"name": "unclear-attribution-requested", "title": UNCLEAR, "title_fr": UNCLEAR_FR, "path": KIEL_HOME}]
PUBLISHER = {"name": "Kiel Institute for the World Economy", "name_fr": KIEL_FR, "url": KIEL_HOME}
CITATION = "Kiel Institute for the World Economy, Ukraine Support Tracker, Release 29 (04/2026), 4 Aug 2026."
EUR_BN = "€ billion"
COMMON = {
    "publisher": PUBLISHER, "licenses": LICENCE, "citation": CITATION,
    "release": "Release 29 (04/2026), published 2026-08-04", "as_of": "2026-04-30",
}
ALLOC_CAVEATS_EN = [
    "Allocations are aid delivered or earmarked for delivery through specific packages, "
    "not confirmed physical arrivals.",
    "Bilateral government aid only; in-kind items valued by Kiel at market prices (upper bounds).",
    "Kiel revises past months with every release: these are Release 29 figures and will not match "
    "numbers published in 2022.",
]
ALLOC_CAVEATS_FR = [
    "Les allocations sont l'aide livrée ou affectée à une livraison dans des paquets précis, "
    "pas des arrivées physiques confirmées.",
    "Aide bilatérale des gouvernements seulement ; biens en nature valorisés par Kiel aux prix du marché "
    "(fourchette haute).",
    "Kiel révise les mois passés à chaque version : ce sont les chiffres de la version 29, différents de "
    "ceux publiés en 2022.",
]


def _month_field() -> dict:
    return field("month", "date", ("Month", "Mois"),
                 ("Month of allocation, written as its first day (YYYY-MM-01).",
                  "Mois de l'allocation, noté par son premier jour (AAAA-MM-01)."), required=True)


def _eur(name: str, en: str, fr: str, den: str, dfr: str, minimum=0) -> dict:
    extra = {"minimum": minimum} if minimum is not None else {}
    return field(name, "number", (f"{en} (€ bn)", f"{fr} (Md€)"), (den, dfr), unit=EUR_BN, required=True,
                 **extra)


def _type_fields() -> list[dict]:
    return [
        _eur("total_eur_bn", "Total", "Total", "All allocations that month, € billion.",
             "Total des allocations du mois, en milliards d'euros."),
        _eur("military_eur_bn", "Military", "Militaire", "Military allocations, € billion.",
             "Allocations militaires, en milliards d'euros."),
        _eur("financial_eur_bn", "Financial", "Financière", "Financial allocations, € billion.",
             "Allocations financières, en milliards d'euros."),
        _eur("humanitarian_eur_bn", "Humanitarian", "Humanitaire", "Humanitarian allocations, € billion.",
             "Allocations humanitaires, en milliards d'euros."),
    ]


SUM_RULE = {"rule": "sum_equals", "field": "total_eur_bn",
            "parts": ["military_eur_bn", "financial_eur_bn", "humanitarian_eur_bn"], "tolerance": 1e-6}


def check_release(raw, log) -> None:
    """The descriptors below say Release 29: refuse to curate a different release silently."""
    path = raw / RAW / "release_info.csv"
    info = pd.read_csv(path, dtype=str)
    log.read(path, len(info))
    if info["release"].tolist() != ["29"] or info["period"].tolist() != ["04/2026"]:
        raise ValueError(f"{rel(path)}: expected Release 29 (04/2026), found {info.to_dict('records')}. "
                         f"Update the release, as_of and temporal values in data/curate/kiel_site.py.")


def monthly(raw, log) -> Table:
    path = raw / RAW / "total_allocations.csv"
    src = pd.read_csv(path)
    log.read(path, len(src))
    frame = pd.DataFrame({
        "month": month_start(src["year"], src["month"]),
        "total_eur_bn": src["total_allocations"], "military_eur_bn": src["military"],
        "financial_eur_bn": src["financial"], "humanitarian_eur_bn": src["humanitarian"],
        "source_id": "kiel_ust_r29",
    }).sort_values("month").reset_index(drop=True)
    log.kept("kiel_allocations_monthly", len(frame))
    resource = {
        "name": "kiel_allocations_monthly",
        **bi("Monthly aid allocations to Ukraine by type, all donors (Jan 2022 to Apr 2026)",
             "Allocations mensuelles d'aide à l'Ukraine par type, tous donateurs (janv. 2022 à avr. 2026)",
             "title"),
        **bi("Military, financial and humanitarian aid allocated to Ukraine each month by all governments "
             "tracked by the Kiel Institute, in € billion (Ukraine Support Tracker, Release 29).",
             "Aide militaire, financière et humanitaire allouée chaque mois à l'Ukraine par l'ensemble des "
             "gouvernements suivis par l'Institut de Kiel, en milliards d'euros (Ukraine Support Tracker, "
             "version 29).", "description"),
        **COMMON, "temporal": {"start": "2022-01-01", "end": "2026-04-30"},
        "caveats_en": ALLOC_CAVEATS_EN, "caveats_fr": ALLOC_CAVEATS_FR,
        "rules": [SUM_RULE],
        "schema": {"fields": [_month_field(), *_type_fields(), source_id_field()],
                   "primaryKey": ["month"], "foreignKeys": [source_fk()]},
    }
    return Table("kiel_allocations_monthly", frame, resource)


def donor_month(raw, log) -> Table:
    path = raw / RAW / "data_explorer.csv"
    src = pd.read_csv(path, keep_default_na=False)
    log.read(path, len(src))
    frame = pd.DataFrame({
        "donor": src["country"].str.strip(), "donor_iso3": src["iso"].str.strip(),
        "month": month_start(src["year"], src["month"]),
        "total_eur_bn": src["total"], "military_eur_bn": src["military"],
        "financial_eur_bn": src["financial"], "humanitarian_eur_bn": src["humanitarian"],
        "commitments_eur_bn": src["commitments"], "to_be_allocated_eur_bn": src["to_be_allocated"],
        "gdp_2021_eur_bn": src["gdp"], "total_pct_gdp_2021": src["pct_gdp"],
        "source_id": "kiel_ust_r29",
    }).sort_values(["donor", "month"]).reset_index(drop=True)
    log.kept("kiel_allocations_donor_month", len(frame), f"{frame.donor.nunique()} donors")
    fields = [
        field("donor", "string", ("Donor", "Donateur"), ("Donor government or EU institution.",
              "Gouvernement donateur ou institution de l'UE."), required=True),
        field("donor_iso3", "string", ("Donor code", "Code du donateur"),
              ("ISO 3166 alpha-3 code as given by Kiel (EU institutions use Kiel's own code).",
               "Code ISO 3166 alpha-3 donné par Kiel (les institutions de l'UE ont un code propre à Kiel)."),
              required=True, pattern="[A-Z]{2,3}"),
        _month_field(), *_type_fields(),
        _eur("commitments_eur_bn", "Commitments", "Engagements",
             "Aid committed that month (allocated plus still to be allocated), € billion.",
             "Aide engagée ce mois-là (allouée et restant à allouer), en milliards d'euros."),
        _eur("to_be_allocated_eur_bn", "To be allocated", "Restant à allouer",
             "Committed but not yet allocated, € billion; negative when earlier commitments were allocated.",
             "Engagé mais pas encore alloué, en milliards d'euros ; négatif quand des engagements antérieurs "
             "ont été alloués.", minimum=None),
        field("gdp_2021_eur_bn", "number", ("GDP 2021 (€ bn)", "PIB 2021 (Md€)"),
              ("Donor's 2021 GDP used by Kiel for shares, € billion (inferred unit; 0 for EU institutions).",
               "PIB 2021 du donateur utilisé par Kiel, en milliards d'euros (unité déduite ; 0 pour les "
               "institutions de l'UE)."), unit=EUR_BN, minimum=0),
        field("total_pct_gdp_2021", "number", ("Total, % of 2021 GDP", "Total, % du PIB 2021"),
              ("That month's total as a percentage of the donor's 2021 GDP.",
               "Total du mois en pourcentage du PIB 2021 du donateur."), unit="%", minimum=0),
        source_id_field(),
    ]
    resource = {
        "name": "kiel_allocations_donor_month",
        **bi("Aid allocations to Ukraine by donor and month (Jan 2022 to Apr 2026)",
             "Allocations d'aide à l'Ukraine par donateur et par mois (janv. 2022 à avr. 2026)", "title"),
        **bi("Military, financial and humanitarian aid allocated each month by each government (and EU "
             "institutions), with commitments, in € billion (Kiel Ukraine Support Tracker data explorer, "
             "Release 29). Months without aid from a donor are absent.",
             "Aide militaire, financière et humanitaire allouée chaque mois par chaque gouvernement (et les "
             "institutions de l'UE), avec les engagements, en milliards d'euros (explorateur de données du "
             "Ukraine Support Tracker de Kiel, version 29). Les mois sans aide d'un donateur sont absents.",
             "description"),
        **COMMON, "temporal": {"start": "2022-01-01", "end": "2026-04-30"},
        "caveats_en": ALLOC_CAVEATS_EN, "caveats_fr": ALLOC_CAVEATS_FR,
        "rules": [SUM_RULE],
        "schema": {"fields": fields, "primaryKey": ["donor", "month"], "foreignKeys": [source_fk()]},
    }
    return Table("kiel_allocations_donor_month", frame, resource)


WEAPON_CATEGORIES = ["Air Defense", "Howitzers", "IFV", "MLRS", "Tanks"]
WEAPON_CAVEATS_EN = [
    "Cumulative from 24 Jan 2022 to 30 Apr 2026, no time dimension.",
    "Excludes ammunition, spare parts and undisclosed sub-components (Kiel).",
    "Allocations, not confirmed arrivals.",
]
WEAPON_CAVEATS_FR = [
    "Cumul du 24 janv. 2022 au 30 avr. 2026, sans dimension temporelle.",
    "Hors munitions, pièces détachées et sous-ensembles non divulgués (Kiel).",
    "Allocations, pas des arrivées confirmées.",
]
ITEM = re.compile(r"(?P<item>.+) \((?P<units>\d+)\)")


def _donor_category_fields(cat_desc: tuple[str, str]) -> list[dict]:
    return [
        field("donor", "string", ("Donor", "Donateur"), ("Donor government.", "Gouvernement donateur."),
              required=True),
        field("category", "string", ("Category", "Catégorie"), cat_desc, required=True,
              enum=WEAPON_CATEGORIES),
    ]


def weapons(raw, log) -> list[Table]:
    path = raw / RAW / "weapons.csv"
    src = pd.read_csv(path, keep_default_na=False)
    log.read(path, len(src))
    frame = pd.DataFrame({
        "donor": src["donor"].str.strip(), "category": src["category"].str.strip(),
        "units": src["number_of_weapons"], "value_eur": src["monetary_value_eur"],
        "weapons_list": src["weapons_list"].str.strip(), "source_id": "kiel_ust_r29",
    }).sort_values(["donor", "category"]).reset_index(drop=True)
    items = []
    for row in frame.itertuples():
        for part in row.weapons_list.split(";"):
            match = ITEM.fullmatch(part.strip())
            if not match:
                raise ValueError(f"{rel(path)}: cannot read item {part!r} of {row.donor}/{row.category}")
            items.append({"donor": row.donor, "category": row.category, "item": match["item"].strip(),
                          "units": int(match["units"]), "source_id": "kiel_ust_r29"})
    items = pd.DataFrame(items).sort_values(["donor", "category", "item"]).reset_index(drop=True)
    check = items.groupby(["donor", "category"]).units.sum()
    if not check.equals(frame.set_index(["donor", "category"]).units.rename("units")):
        raise ValueError(f"{rel(path)}: item counts do not add up to number_of_weapons")
    log.kept("kiel_weapons_cumulative", len(frame))
    log.kept("kiel_weapons_items", len(items), "weapons_list split into one row per item")
    cat_desc = ("Kiel's heavy-weapon category.", "Catégorie d'arme lourde selon Kiel.")
    cumulative = {
        "name": "kiel_weapons_cumulative",
        **bi("Heavy weapons allocated to Ukraine by donor and category, cumulative to Apr 2026",
             "Armes lourdes allouées à l'Ukraine par donateur et catégorie, cumul à avr. 2026", "title"),
        **bi("Number and Kiel valuation of heavy weapon systems (air defence, tanks, infantry fighting "
             "vehicles, howitzers, rocket launchers) allocated by each donor from 24 Jan 2022 to 30 Apr 2026 "
             "(Kiel Ukraine Support Tracker, Release 29).",
             "Nombre et valorisation par Kiel des systèmes d'armes lourdes (défense aérienne, chars, véhicules "
             "de combat d'infanterie, obusiers, lance-roquettes) alloués par chaque donateur du 24 janv. 2022 "
             "au 30 avr. 2026 (Ukraine Support Tracker de Kiel, version 29).", "description"),
        **COMMON, "temporal": {"start": "2022-01-24", "end": "2026-04-30"},
        "caveats_en": WEAPON_CAVEATS_EN, "caveats_fr": WEAPON_CAVEATS_FR,
        "schema": {"fields": [
            *_donor_category_fields(cat_desc),
            field("units", "integer", ("Units", "Unités"), ("Systems allocated, cumulative.",
                  "Systèmes alloués, en cumul."), unit="units", required=True, minimum=0),
            field("value_eur", "integer", ("Value (€)", "Valeur (€)"),
                  ("Kiel's valuation of those units, in euros (not billions).",
                   "Valorisation de ces unités par Kiel, en euros (pas en milliards)."),
                  unit="€", required=True, minimum=0),
            field("weapons_list", "string", ("Items", "Matériels"),
                  ("Items with unit counts, as written by Kiel.", "Matériels et nombre d'unités, tels qu'écrits "
                   "par Kiel."), required=True),
            source_id_field(),
        ], "primaryKey": ["donor", "category"], "foreignKeys": [source_fk()]},
    }
    item_resource = {
        "name": "kiel_weapons_items",
        **bi("Heavy weapons allocated to Ukraine by donor and item, cumulative to Apr 2026",
             "Armes lourdes allouées à l'Ukraine par donateur et matériel, cumul à avr. 2026", "title"),
        **bi("The item lists of kiel_weapons_cumulative split into one row per donor and item "
             "(for example NASAMS, IRIS-T SLM, overhauled T-72).",
             "Les listes de matériels de kiel_weapons_cumulative, à raison d'une ligne par donateur et "
             "matériel (par exemple NASAMS, IRIS-T SLM, T-72 remis à neuf).", "description"),
        **COMMON, "temporal": {"start": "2022-01-24", "end": "2026-04-30"},
        "caveats_en": WEAPON_CAVEATS_EN, "caveats_fr": WEAPON_CAVEATS_FR,
        "schema": {"fields": [
            *_donor_category_fields(cat_desc),
            field("item", "string", ("Item", "Matériel"), ("Item as named by Kiel.",
                  "Matériel tel que nommé par Kiel."), required=True),
            field("units", "integer", ("Units", "Unités"), ("Units allocated, cumulative.",
                  "Unités allouées, en cumul."), unit="units", required=True, minimum=0),
            source_id_field(),
        ], "primaryKey": ["donor", "category", "item"],
            "foreignKeys": [source_fk(), {"fields": ["donor", "category"], "reference": {
                "resource": "kiel_weapons_cumulative", "fields": ["donor", "category"]}}]},
    }
    return [Table("kiel_weapons_cumulative", frame, cumulative),
            Table("kiel_weapons_items", items, item_resource)]


def build(raw, log) -> list[Table]:
    check_release(raw, log)
    return [monthly(raw, log), donor_month(raw, log), *weapons(raw, log)]
