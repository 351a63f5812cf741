"""Chernivtsi: scheduled blackout hours per day and outage group, December 2022 to March 2023."""

import altair as alt

DATASET = "chernivtsi_outages_daily"
COLUMNS = ["date", "group", "hours_off", "hours_possibly_off"]

TEXT = {
    "title": {"fr": "Tchernivtsi : des heures sans courant, jour après jour",
              "en": "Chernivtsi: hours without power, day after day"},
    "subtitle": {"fr": "Heures de coupure programmées par jour, pour chacun des 18 groupes de la ville, "
                       "décembre 2022 à mars 2023",
                 "en": "Scheduled outage hours per day for each of the city's 18 groups, December 2022 to March 2023"},
    "notes": {"fr": "Heures où le groupe devait être coupé selon le programme publié ; les heures « peut-être "
                    "coupées » ne sont pas comptées (elles figurent dans les données).",
              "en": "Hours the group was scheduled to be off; hours marked \"possibly off\" are not counted "
                    "(they are in the data)."},
    "source": {"fr": "Tchernivtsioblenergo, programmes de coupure, collectés par Denys Dovhan",
               "en": "Chernivtsioblenergo outage schedules, collected by Denys Dovhan"},
}
LABELS = {
    "date": {"fr": "Date", "en": "Date"},
    "group": {"fr": "Groupe", "en": "Group"},
    "hours_off": {"fr": "Heures coupées", "en": "Hours off"},
    "outage": {"fr": "Coupure programmée", "en": "Scheduled outage"},
    "hours_possibly_off": {"fr": "Heures peut-être coupées", "en": "Hours possibly off"},
}


def chart(df, t):
    return alt.Chart(df).mark_rect().encode(
        x=alt.X("yearmonthdate(date):T", title=None, axis=alt.Axis(format=t.month_format, tickCount="month")),
        y=alt.Y("group:O", title=t("group"), axis=alt.Axis(labelFontSize=10 if t.narrow else 11)),
        color=alt.Color("hours_off:Q", title=t.axis_title("outage", "hours_off"),
                        legend=alt.Legend(orient="top", direction="horizontal", gradientLength=160)),
        tooltip=[alt.Tooltip("date:T", title=t("date"), format=t.date_format),
                 alt.Tooltip("group:O", title=t("group")),
                 alt.Tooltip("hours_off:Q", title=t("hours_off")),
                 alt.Tooltip("hours_possibly_off:Q", title=t("hours_possibly_off"))],
    ).properties(height=18 * (14 if t.narrow else 15))


def table(df, t):
    """One row per day (the full day-by-group grid is in the CSV)."""
    days = df.groupby("date", as_index=False).agg(mean=("hours_off", "mean"), max=("hours_off", "max"))
    days["mean"] = days["mean"].round(1)
    return days.rename(columns={"date": t("date"), "mean": t("mean"), "max": t("max")})


LABELS.update({
    "mean": {"fr": "Heures coupées, moyenne des groupes", "en": "Hours off, mean of the groups"},
    "max": {"fr": "Heures coupées, groupe le plus touché", "en": "Hours off, worst-hit group"},
})
