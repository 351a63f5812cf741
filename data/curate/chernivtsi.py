"""Chernivtsi scheduled power outages, Dec 2022 to Mar 2023: hours per group
and day (for a date x group heatmap) and the hourly schedule itself."""

from __future__ import annotations

import pandas as pd

from .common import Table, bi, field, rel, source_fk, source_id_field, source_url_field

RAW = "chernivtsi_outages"
COMMIT = "ca09daadbe3646175aa1b681fb33d0514c08f6e7"
DAY_URL = f"https://github.com/denysdovhan/chernivtsi-outages/blob/{COMMIT}/outages/history/{{}}/data.json"
STATUS = {"on": "on", "off": "off", "unknown": "possibly_off"}
PUBLISHER = {"name": "Chernivtsioblenergo (schedules), collected by Denys Dovhan",
             "name_fr": "Tchernivtsioblenergo (programmes), collectés par Denys Dovhan",
             "url": "https://oblenergo.cv.ua/shutdowns/"}
LICENCE = [{"name": "MIT", "title": "MIT © Denys Dovhan (repository README)",
            "title_fr": "MIT © Denys Dovhan (README du dépôt)",
            "path": "https://github.com/denysdovhan/chernivtsi-outages"}]
CITATION = ("Chernivtsioblenergo, outage schedules (oblenergo.cv.ua/shutdowns), collected by Denys Dovhan, "
            "github.com/denysdovhan/chernivtsi-outages.")
COMMON = {
    "publisher": PUBLISHER, "licenses": LICENCE, "citation": CITATION,
    "release": f"Repository snapshot {COMMIT[:7]} (2023-03-22)", "as_of": "2023-03-22",
    "temporal": {"start": "2022-12-01", "end": "2023-03-22"},
    "caveats_en": [
        "Scheduled (planned) outages for one regional capital, not measured outages and not national data; "
        "emergency outages beyond the schedule are not captured.",
        "Days missing upstream (for example 4 and 8-10 Dec 2022, many days in Feb 2023) are absent.",
        "For 1, 2, 5, 6 and 7 Dec 2022 the upstream file is stamped with the next day's midnight (Kyiv time): "
        "these schedules may be for the following day (schedule_date_uncertain).",
        "Nothing before December 2022: the October-November strike waves are not covered.",
    ],
    "caveats_fr": [
        "Coupures programmées pour une capitale régionale, pas des coupures mesurées ni des données "
        "nationales ; les coupures d'urgence hors programme ne sont pas saisies.",
        "Les jours absents de la source (par exemple 4 et 8-10 déc. 2022, de nombreux jours en févr. 2023) "
        "manquent.",
        "Pour les 1er, 2, 5, 6 et 7 déc. 2022, le fichier d'origine est daté de minuit le lendemain (heure de "
        "Kyiv) : ces programmes concernent peut-être le jour suivant (schedule_date_uncertain).",
        "Rien avant décembre 2022 : les vagues de frappes d'octobre-novembre ne sont pas couvertes.",
    ],
}


def build(raw, log) -> list[Table]:
    path = raw / RAW / "chernivtsi_outage_schedule_long.csv"
    hourly = pd.read_csv(path, dtype={"date": str, "status": str})
    log.read(path, len(hourly))
    bad = set(hourly["status"]) - set(STATUS)
    if bad:
        raise ValueError(f"{rel(path)}: unknown status values {sorted(bad)}")
    hourly["status"] = hourly["status"].map(STATUS)
    summary_path = raw / RAW / "chernivtsi_outage_daily_summary.csv"
    summary = pd.read_csv(summary_path, dtype={"date": str, "date_field_raw": str})
    log.read(summary_path, len(summary), "days (used to cross-check and to flag uncertain dates)")

    counts = (hourly.groupby(["date", "group"])["status"].value_counts().unstack(fill_value=0)
              .reindex(columns=["off", "possibly_off", "on"], fill_value=0).reset_index())
    if (counts[["off", "possibly_off", "on"]].sum(axis=1) != 24).any():
        raise ValueError(f"{rel(path)}: some group-days do not have 24 hours")
    check = counts.groupby("date").agg(mean=("off", "mean"), lo=("off", "min"), hi=("off", "max"),
                                       unknown=("possibly_off", "sum"))
    expected = summary.set_index("date")
    if not ((check["mean"].round(2) == expected["mean_hours_off_per_group"]).all()
            and (check["lo"] == expected["min_hours_off"]).all()
            and (check["hi"] == expected["max_hours_off"]).all()
            and (check["unknown"] == expected["n_unknown_cells"]).all()):
        raise ValueError(f"{rel(summary_path)} disagrees with the hourly schedule")
    log.note("daily summary agrees with the hourly schedule (mean, min, max off-hours, unknown cells)")
    # The JSON date field is a UTC timestamp only for the 5 early files; see caveats.
    uncertain = set(summary.loc[summary["date_field_raw"].str.contains("T"), "date"])

    daily = pd.DataFrame({
        "date": pd.to_datetime(counts["date"]), "group": counts["group"],
        "hours_off": counts["off"], "hours_possibly_off": counts["possibly_off"], "hours_on": counts["on"],
        "schedule_date_uncertain": counts["date"].isin(uncertain),
        "source_url": counts["date"].map(DAY_URL.format), "source_id": "chernivtsi_outages",
    }).sort_values(["date", "group"]).reset_index(drop=True)
    log.kept("chernivtsi_outages_daily", len(daily), f"{daily.date.nunique()} days x 18 groups")

    # No source column here: each (date, group) points to its daily row, which links the day's file.
    hourly = hourly.assign(date=pd.to_datetime(hourly["date"]))
    hourly = hourly.sort_values(["date", "group", "hour_start"]).reset_index(drop=True)
    log.kept("chernivtsi_outages_hourly", len(hourly))

    date_f = field("date", "date", ("Date", "Date"), ("Schedule date.", "Date du programme."), required=True)
    group_f = field("group", "integer", ("Group", "Groupe"),
                    ("Outage group (queue) 1-18, the row order of the published table.",
                     "Groupe (file) de coupure 1 à 18, ordre des lignes du tableau publié."),
                    required=True, minimum=1, maximum=18)
    hours = lambda name, en, fr, den, dfr: field(name, "integer", (en, fr), (den, dfr),  # noqa: E731
                                                 unit="hours", required=True, minimum=0, maximum=24)
    daily_res = {
        "name": "chernivtsi_outages_daily",
        **bi("Chernivtsi: scheduled outage hours per group and day (Dec 2022 to Mar 2023)",
             "Tchernivtsi : heures de coupure programmées par groupe et par jour (déc. 2022 à mars 2023)",
             "title"),
        **bi("For each day and each of the 18 outage groups of the city of Chernivtsi, the number of hours "
             "the distributor's schedule planned without power, possibly without power, and with power.",
             "Pour chaque jour et chacun des 18 groupes de coupure de la ville de Tchernivtsi, le nombre "
             "d'heures sans courant, peut-être sans courant et avec courant prévu par le programme du "
             "distributeur.", "description"),
        **COMMON,
        "rules": [{"rule": "sum_equals", "value": 24, "parts": ["hours_off", "hours_possibly_off", "hours_on"],
                   "tolerance": 0}],
        "schema": {"fields": [
            date_f, group_f,
            hours("hours_off", "Hours off", "Heures coupées", "Hours scheduled without power.",
                  "Heures programmées sans courant."),
            hours("hours_possibly_off", "Hours possibly off", "Heures peut-être coupées",
                  "Hours marked 'possibly off' (upstream: unknown).",
                  "Heures marquées « coupure possible » (source : unknown)."),
            hours("hours_on", "Hours on", "Heures avec courant", "Hours scheduled with power.",
                  "Heures programmées avec courant."),
            field("schedule_date_uncertain", "boolean", ("Date uncertain", "Date incertaine"),
                  ("True for the 5 early days whose file may describe the following day.",
                   "Vrai pour les 5 premiers jours dont le fichier concerne peut-être le lendemain."),
                  required=True),
            source_url_field(), source_id_field(),
        ], "primaryKey": ["date", "group"], "foreignKeys": [source_fk()]},
    }
    hourly_res = {
        "name": "chernivtsi_outages_hourly",
        **bi("Chernivtsi: hourly outage schedule per group (Dec 2022 to Mar 2023)",
             "Tchernivtsi : programme horaire des coupures par groupe (déc. 2022 à mars 2023)", "title"),
        **bi("The published schedule itself: for each day, group and hour, whether power was scheduled on, "
             "off or possibly off. Each row's source is the day's file linked from chernivtsi_outages_daily.",
             "Le programme publié lui-même : pour chaque jour, groupe et heure, courant prévu, coupure ou "
             "coupure possible. La source de chaque ligne est le fichier du jour, lié depuis "
             "chernivtsi_outages_daily.", "description"),
        **COMMON,
        "schema": {"fields": [
            date_f, group_f,
            field("hour_start", "integer", ("Hour", "Heure"),
                  ("Hour slot starting at this hour, 0-23 (upstream tables label them 1-24).",
                   "Créneau commençant à cette heure, 0 à 23 (les tableaux d'origine les numérotent 1 à 24)."),
                  unit="hour of day", required=True, minimum=0, maximum=23),
            field("status", "string", ("Status", "État"),
                  ("on, off, or possibly_off (upstream: unknown).", "on (courant), off (coupure) ou "
                   "possibly_off (coupure possible ; source : unknown)."),
                  required=True, enum=["off", "on", "possibly_off"]),
        ], "primaryKey": ["date", "group", "hour_start"],
            "foreignKeys": [{"fields": ["date", "group"], "reference": {
                "resource": "chernivtsi_outages_daily", "fields": ["date", "group"]}}]},
    }
    return [Table("chernivtsi_outages_daily", daily, daily_res),
            Table("chernivtsi_outages_hourly", hourly, hourly_res)]
