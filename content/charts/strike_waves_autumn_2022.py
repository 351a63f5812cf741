"""The autumn 2022 strike waves: missiles and Shahed-type drones launched and shot down, per day.

A "wave" here is a day from 10 October to 23 November 2022 with at least 20 missiles or
30 Shahed-type drones launched, summing the attack windows the Air Force reported that day.
"""

import altair as alt
import pandas as pd

DATASET = "strikes_waves"
COLUMNS = ["wave_id", "wave_start", "missiles_launched", "missiles_shot_down", "drones_launched",
           "drones_shot_down", "models"]
FILTER = ["wave_start >= 2022-10-10", "wave_start <= 2022-11-23"]
MIN_MISSILES, MIN_DRONES = 20, 30

TEXT = {
    "title": {"fr": "Les vagues de frappes de l'automne 2022",
              "en": "The strike waves of autumn 2022"},
    "subtitle": {"fr": "Missiles et drones de type Shahed lancés et abattus, par jour de frappe massive, "
                       "10 octobre au 23 novembre 2022",
                 "en": "Missiles and Shahed-type drones launched and shot down, per day of mass strikes, "
                       "10 October to 23 November 2022"},
    "notes": {"fr": "Jours comptant au moins 20 missiles ou 30 drones lancés, toutes fenêtres d'attaque du jour "
                    "additionnées. Chiffres de l'armée de l'air ukrainienne ; les décomptes publiés ailleurs "
                    "peuvent différer.",
              "en": "Days with at least 20 missiles or 30 drones launched, adding up all the attack windows of the "
                    "day. Ukrainian Air Force figures; counts published elsewhere may differ."},
    "source": {"fr": "Armée de l'air ukrainienne, via le jeu de données « Massive Missile Attacks on Ukraine » "
                     "(Petro Ivaniuk)",
               "en": "Ukrainian Air Force, via the \"Massive Missile Attacks on Ukraine\" dataset (Petro Ivaniuk)"},
}
LABELS = {
    "day": {"fr": "Jour", "en": "Day"},
    "count": {"fr": "Missiles ou drones", "en": "Missiles or drones"},
    "missiles": {"fr": "Missiles", "en": "Missiles"},
    "drones": {"fr": "Drones Shahed", "en": "Shahed drones"},
    "launched": {"fr": "lancés", "en": "launched"},
    "shot_down": {"fr": "abattus", "en": "shot down"},
    "windows": {"fr": "Fenêtres d'attaque", "en": "Attack windows"},
}
UNITS = {"value": {"fr": "nombre", "en": "number"}}


def select(df):
    day = df["wave_start"]
    totals = df.groupby(day)[["missiles_launched", "drones_launched"]].transform("sum")
    big = (totals["missiles_launched"] >= MIN_MISSILES) | (totals["drones_launched"] >= MIN_DRONES)
    return df[big]


def chart(df, t):
    days = (df.fillna({c: 0 for c in COLUMNS[2:6]})
            .groupby("wave_start", as_index=False)
            .agg(missiles_launched=("missiles_launched", "sum"), missiles_shot_down=("missiles_shot_down", "sum"),
                 drones_launched=("drones_launched", "sum"), drones_shot_down=("drones_shot_down", "sum"),
                 windows=("wave_id", "count")))
    days["day"] = days["wave_start"].map(lambda d: t.date(d))
    rows = []
    for kind in ("missiles", "drones"):
        for measure in ("launched", "shot_down"):
            rows.append(days.assign(kind=t(kind), measure=measure, series=f"{t(kind)} {t(measure)}",
                                    value=days[f"{kind}_{measure}"].astype("int64"),
                                    launched=days[f"{kind}_launched"].astype("int64"),
                                    shot_down=days[f"{kind}_shot_down"].astype("int64")))
    long = pd.concat(rows)
    series = [f"{t(k)} {t(m)}" for k in ("missiles", "drones") for m in ("launched", "shot_down")]
    colours = [t.color(c) for c in ("pale_blue", "blue", "pale_orange", "vermillion")]
    base = alt.Chart(long).encode(
        y=alt.Y("day:N", sort=days["day"].tolist(), title=None),
        yOffset=alt.YOffset("kind:N", sort=[t("missiles"), t("drones")]),
        x=alt.X("value:Q", title=t.axis_title("count", "value")),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=series, range=colours),
                        legend=alt.Legend(columns=1 if t.narrow else 2)),
        tooltip=[alt.Tooltip("day:N", title=t("day")), alt.Tooltip("kind:N", title=" "),
                 alt.Tooltip("launched:Q", title=t("launched").capitalize()),
                 alt.Tooltip("shot_down:Q", title=t("shot_down").capitalize()),
                 alt.Tooltip("windows:Q", title=t("windows"))],
    )
    launched = base.transform_filter(alt.datum.measure == "launched").mark_bar(height={"band": 0.9})
    shot = base.transform_filter(alt.datum.measure == "shot_down").mark_bar(height={"band": 0.45})
    return alt.layer(launched, shot).properties(height=alt.Step(34))
