"""Kiel Ukraine Support Tracker, Release 7 (data to 3 Oct 2022):
heavy weapons by donor and system, and in-kind military aid by donor."""

from __future__ import annotations

import pandas as pd
from babel import Locale
from babel.numbers import format_decimal

from .common import Table, bi, field, rel, source_fk, source_id_field, source_url_field
from .sources import KIEL_CITATION, KIEL_FR, KIEL_HOME, UNCLEAR, UNCLEAR_FR

RAW = "kiel_ust_release7_2022"
FIRST_DONOR_COLUMN = 5  # item, Total Number, Type, Sub-type, Not included, then one column per donor
# Kiel's "Type" labels, shortened for charts; air defence comes from the main data sheet.
CATEGORIES = {
    "AFV (Armoured fighting vehicle)": "Armoured fighting vehicle",
    "Howitzer": "Howitzer",
    "Tank": "Tank",
    "MLRS": "Multiple rocket launcher",
}
AIR_DEFENCE_SUBTYPES = {"Anti-aircraft system", "Self-propelled anti-aircraft weapon"}

LICENCE = [{"name": "unclear-attribution-requested", "title": UNCLEAR, "title_fr": UNCLEAR_FR, "path": KIEL_HOME}]
PUBLISHER = {"name": "Kiel Institute for the World Economy", "name_fr": KIEL_FR, "url": KIEL_HOME}


def _units(value: str):
    """Kiel writes unknown counts as "." or "undisclosed"; both become missing."""
    value = str(value).strip()
    return int(float(value)) if value.replace(".", "", 1).isdigit() and value != "." else pd.NA


def heavy_weapons(raw, log) -> Table:
    committed_path = raw / RAW / "ust_r7_committed_heavy_weapons_by_donor.csv"
    delivered_path = raw / RAW / "ust_r7_delivered_heavy_weapons_by_donor.csv"
    main_path = raw / RAW / "ust_r7_bilateral_main_data.csv"

    def long(path, value_name):
        wide = pd.read_csv(path, dtype=str, keep_default_na=False)
        log.read(path, len(wide), "items x 40 donor columns")
        donors = list(wide.columns[FIRST_DONOR_COLUMN:])
        out = wide.melt(id_vars=["item", "Type", "Sub-type"], value_vars=donors,
                        var_name="donor", value_name=value_name)
        out[value_name] = out[value_name].map(_units).astype("Int64")
        return out

    committed = long(committed_path, "units_committed")
    delivered = long(delivered_path, "units_delivered")
    sheets = committed.merge(delivered[["item", "donor", "units_delivered"]],
                             on=["item", "donor"], how="outer", indicator=True)
    only_delivered = sheets[sheets["_merge"] == "right_only"]
    if len(only_delivered):
        raise ValueError(f"delivered sheet has items missing from committed sheet: {only_delivered.item.unique()}")
    # "M270 weapon system (Norway)" is in the committed sheet only: nothing delivered recorded.
    sheets["units_delivered"] = sheets["units_delivered"].fillna(0)
    zero = (sheets["units_committed"].fillna(0) == 0) & (sheets["units_delivered"].fillna(0) == 0)
    log.dropped("donor x item cells of the two weapon sheets", int(zero.sum()),
                "zero committed and zero delivered")
    sheets = sheets[~zero]
    sheets = sheets.assign(
        system=sheets["item"].str.strip(),
        category=sheets["Type"].map(CATEGORIES),
        sub_type=sheets["Sub-type"].str.replace(r"\s+", " ", regex=True).str.strip(),
        kiel_id="", source_url=pd.NA,
    )

    main = pd.read_csv(main_path, dtype=str, keep_default_na=False)
    log.read(main_path, len(main))
    heavy = main["Type of item"].str.strip().str.lower() == "heavy weapon"
    air = main[heavy & main["Sub-type of item"].isin(AIR_DEFENCE_SUBTYPES)]
    log.note(f"{len(air)} air-defence rows taken from the main data sheet "
             f"(heavy weapon, sub-type anti-aircraft); the weapon sheets carry none")
    air_rows = pd.DataFrame({
        "donor": air["countries"].str.strip(),
        "system": air["Item"].str.strip(),
        "category": "Air defence",
        "sub_type": air["Sub-type of item"].str.strip(),
        "units_committed": air["No. of Units"].map(_units).astype("Int64"),
        "units_delivered": air["No. of Units delivered (in-kind military aid)"].map(_units).astype("Int64"),
        "kiel_id": air["ID"].str.strip(),
        "source_url": air["Source of Aid 1"].where(air["Source of Aid 1"].str.startswith("http"), pd.NA),
    })
    # The US committed NASAMS twice (2 + 6 units); one row per donor and system.
    air_rows = (air_rows.groupby(["donor", "system", "category", "sub_type"], as_index=False)
                .agg(units_committed=("units_committed", lambda s: s.sum(min_count=1)),
                     units_delivered=("units_delivered", lambda s: s.sum(min_count=1)),
                     kiel_id=("kiel_id", lambda s: ";".join(sorted(set(s)))),
                     source_url=("source_url", "first")))
    frame = pd.concat([sheets[air_rows.columns], air_rows], ignore_index=True)
    frame["source_id"] = "kiel_ust_r7"
    frame["units_committed"] = frame["units_committed"].astype("Int64")
    frame["units_delivered"] = frame["units_delivered"].astype("Int64")
    frame = frame.sort_values(["category", "system", "donor"]).reset_index(drop=True)
    log.kept("kiel_r7_heavy_weapons", len(frame))

    fields = [
        field("donor", "string", ("Donor", "Donateur"), ("Donor government, as named by Kiel.",
              "Gouvernement donateur, tel que nommé par Kiel."), required=True),
        field("system", "string", ("System", "Système"), ("Weapon system as named by Kiel.",
              "Système d'arme tel que nommé par Kiel."), required=True),
        field("category", "string", ("Category", "Catégorie"),
              ("Kiel's weapon type; air-defence systems come from the main data sheet.",
               "Type d'arme selon Kiel ; la défense aérienne vient de la feuille de données principale."),
              required=True, enum=sorted(set(CATEGORIES.values()) | {"Air defence"})),
        field("sub_type", "string", ("Sub-type", "Sous-type"), ("Kiel's sub-type.", "Sous-type selon Kiel.")),
        field("units_committed", "integer", ("Units committed", "Unités promises"),
              ("Units committed as of 3 Oct 2022; empty where Kiel says undisclosed.",
               "Unités promises au 3 oct. 2022 ; vide si Kiel indique « non divulgué »."),
              unit="units", minimum=0),
        field("units_delivered", "integer", ("Units delivered", "Unités livrées"),
              ("Units delivered as of 3 Oct 2022; empty where Kiel has no information.",
               "Unités livrées au 3 oct. 2022 ; vide si Kiel n'a pas d'information."),
              unit="units", minimum=0),
        field("kiel_id", "string", ("Kiel package ID", "Identifiant de paquet Kiel"),
              ("Package ID(s) in the main data sheet, for air-defence rows.",
               "Identifiant(s) de paquet dans la feuille principale, pour la défense aérienne.")),
        source_url_field(required=False),
        source_id_field(),
    ]
    resource = {
        "name": "kiel_r7_heavy_weapons",
        **bi("Heavy weapons and air defence committed and delivered, by donor (to 3 Oct 2022)",
             "Armes lourdes et défense aérienne promises et livrées, par donateur (au 3 oct. 2022)", "title"),
        **bi("Units of heavy weapons (armoured vehicles, howitzers, tanks, rocket launchers) and air-defence "
             "systems that each government had committed to Ukraine, and how many had been delivered, "
             "as recorded by the Kiel Institute's Ukraine Support Tracker, Release 7.",
             "Nombre d'armes lourdes (blindés, obusiers, chars, lance-roquettes) et de systèmes de défense "
             "aérienne promis à l'Ukraine par chaque gouvernement, et nombre livré, selon la 7e version du "
             "Ukraine Support Tracker de l'Institut de Kiel.", "description"),
        "publisher": PUBLISHER, "licenses": LICENCE, "citation": KIEL_CITATION,
        "release": "Release 7 (24 Jan to 3 Oct 2022)", "as_of": "2022-10-03",
        "temporal": {"start": "2022-01-24", "end": "2022-10-03"},
        "caveats_en": [
            "Kiel primarily records commitments; deliveries only where a source reported them.",
            "Air-defence rows come from the main data sheet; empty counts mean undisclosed or unknown.",
            "Donor x system pairs with nothing committed and nothing delivered are left out.",
        ],
        "caveats_fr": [
            "Kiel recense d'abord les promesses ; les livraisons seulement quand une source les signale.",
            "La défense aérienne vient de la feuille principale ; une case vide signifie non divulgué ou inconnu.",
            "Les couples donateur x système sans rien de promis ni de livré sont omis.",
        ],
        "rules": [{"rule": "less_or_equal", "field": "units_delivered", "other": "units_committed"}],
        "schema": {"fields": fields, "primaryKey": ["donor", "system"], "foreignKeys": [source_fk()]},
    }
    return Table("kiel_r7_heavy_weapons", frame, resource)


ALIASES = {"Turkey": "TR"}  # CLDR now says Türkiye; Kiel writes Turkey


def share_caveats(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """A caveat for each donor whose share delivered, as Kiel's file gives it, is not its
    deliveries over its commitments (Release 7 gives Turkey 0 % for 67 %). The raw value
    is kept; the caveat says so, and charts and prose compute the share instead."""
    computed = (frame["delivered_eur_bn"] / frame["committed_eur_bn"] * 100).round(0)
    off = frame[(frame["share_delivered_pct"] - computed).abs() > 1]
    english = {name: code for code, name in Locale("en").territories.items()}
    en, fr = [], []
    for row, share in zip(off.itertuples(), computed[off.index]):
        name_fr = Locale("fr").territories.get(english.get(row.donor) or ALIASES.get(row.donor, ""), row.donor)
        raw_fr = format_decimal(row.share_delivered_pct, locale="fr_FR")
        en.append(f"{row.donor}: Kiel's file gives a share delivered of {row.share_delivered_pct:g}%, although "
                  f"delivered over committed is {share:.0f}%. The raw value is kept in this column; our charts "
                  f"and figures compute the share from the two amounts instead.")
        fr.append(f"{name_fr}\u202f: le fichier de Kiel donne une part livrée de {raw_fr}\u202f%, alors que le "
                  f"livré rapporté au promis fait {share:.0f}\u202f%. La valeur brute est conservée dans cette "
                  f"colonne\u202f; nos graphiques et nos chiffres calculent la part à partir des deux montants.")
    return en, fr


def inkind(raw, log) -> Table:
    path = raw / RAW / "ust_r7_military_inkind_committed_vs_delivered.csv"
    src = pd.read_csv(path, dtype=str, keep_default_na=False)
    log.read(path, len(src))
    total = src[src["country"] == "Total"]
    rows = src[src["country"] != "Total"].copy()
    log.dropped(rel(path), len(total), "the Total row (sum of the others)")
    frame = pd.DataFrame({
        "donor": rows["country"].str.strip(),
        "committed_eur_bn": rows["inkind_commitments_eur_bn"].astype(float),
        "delivered_eur_bn": rows["inkind_deliveries_eur_bn"].astype(float),
        # Kiel stores the ratio unrounded (100.00000000000003); two decimals are what it means.
        "share_delivered_pct": pd.to_numeric(rows["share_delivered_pct"].replace(".", ""), errors="coerce").round(2),
        "source_id": "kiel_ust_r7",
    })
    for col, raw_col in (("committed_eur_bn", "inkind_commitments_eur_bn"),
                         ("delivered_eur_bn", "inkind_deliveries_eur_bn")):
        if abs(frame[col].sum() - float(total[raw_col].iloc[0])) > 1e-6:
            raise ValueError(f"{path}: donors do not add up to the Total row for {raw_col}")
    zero = (frame["committed_eur_bn"] == 0) & (frame["delivered_eur_bn"] == 0)
    log.dropped(rel(path), int(zero.sum()), "donors with no in-kind aid")
    frame = frame[~zero].sort_values("committed_eur_bn", ascending=False, kind="stable").reset_index(drop=True)
    log.kept("kiel_r7_inkind_aid", len(frame))
    mismatch_en, mismatch_fr = share_caveats(frame)
    eur = ("€ billion", "Md€")
    fields = [
        field("donor", "string", ("Donor", "Donateur"), ("Donor government.", "Gouvernement donateur."),
              required=True, unique=True),
        field("committed_eur_bn", "number", ("Committed in kind (€ bn)", "Promis en nature (Md€)"),
              ("Value of in-kind military aid committed, € billion, Kiel's market-price estimate.",
               "Valeur de l'aide militaire en nature promise, en milliards d'euros, estimation de Kiel."),
              unit=eur[0], required=True, minimum=0),
        field("delivered_eur_bn", "number", ("Delivered in kind (€ bn)", "Livré en nature (Md€)"),
              ("Value of in-kind military aid delivered, € billion.",
               "Valeur de l'aide militaire en nature livrée, en milliards d'euros."),
              unit=eur[0], required=True, minimum=0),
        field("share_delivered_pct", "number", ("Share delivered (%)", "Part livrée (%)"),
              ("Delivered as a percentage of committed, as computed by Kiel, rounded to 0.01.",
               "Livré en pourcentage du promis, calculé par Kiel, arrondi à 0,01."), unit="%", minimum=0, maximum=100),
        source_id_field(),
    ]
    resource = {
        "name": "kiel_r7_inkind_aid",
        **bi("In-kind military aid committed and delivered, by donor (to 3 Oct 2022)",
             "Aide militaire en nature promise et livrée, par donateur (au 3 oct. 2022)", "title"),
        **bi("Value in € billion of the weapons and equipment each government had committed to Ukraine and "
             "the part delivered, from figure A4 of the Kiel Ukraine Support Tracker, Release 7.",
             "Valeur, en milliards d'euros, des armes et équipements promis à l'Ukraine par chaque "
             "gouvernement et part livrée, d'après la figure A4 du Ukraine Support Tracker de Kiel, 7e version.",
             "description"),
        "publisher": PUBLISHER, "licenses": LICENCE, "citation": KIEL_CITATION,
        "release": "Release 7 (24 Jan to 3 Oct 2022), figure A4", "as_of": "2022-10-03",
        "temporal": {"start": "2022-01-24", "end": "2022-10-03"},
        "caveats_en": ["In-kind items are valued at market prices, upper bounds (Kiel ReadMe).",
                       "Release 7 predates Kiel's 'allocations' measure; do not compare with Release 29 tables."]
                      + mismatch_en,
        "caveats_fr": ["Les biens en nature sont valorisés aux prix du marché, en fourchette haute (ReadMe de Kiel).",
                       "La version 7 précède la mesure des « allocations » de Kiel ; ne pas comparer avec les "
                       "tables de la version 29."] + mismatch_fr,
        "rules": [{"rule": "less_or_equal", "field": "delivered_eur_bn", "other": "committed_eur_bn"}],
        "schema": {"fields": fields, "primaryKey": ["donor"], "foreignKeys": [source_fk()]},
    }
    return Table("kiel_r7_inkind_aid", frame, resource)


def build(raw, log) -> list[Table]:
    return [heavy_weapons(raw, log), inkind(raw, log)]
