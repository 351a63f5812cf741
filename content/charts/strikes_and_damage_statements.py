"""Autumn 2022: the days of strikes beside what Ukraine's leaders said of the damage.

Bars: missiles and Shahed-type drones launched per day (Air Force figures). Rules: the
official statements of damage, each at its date, labelled with its words. Damage said to
have built up since the strikes began (power stations destroyed, infrastructure damaged)
is kept apart from the state of things on the day it was said (system out of action,
people without power): the two kinds do not form one series. Later, cumulative cost
assessments (UNDP and World Bank 2023, KSE 2024) cover other scopes and are left out.
"""

import altair as alt
import pandas as pd

STATEMENTS = ["zelensky-power-stations-2022-10-18", "zelensky-energy-infra-2022-11-07-range",
              "zelensky-without-power-2022-11-07", "zelensky-without-power-2022-11-17",
              "shmyhal-energy-system-2022-11-18"]
DATASETS = {
    "energy_damage_indicators": {
        "columns": ["fact_id", "date", "indicator", "value", "value_max", "qualifier", "unit", "who_said",
                    "publisher", "source_url"],
        "filter": [f"fact_id in [{', '.join(STATEMENTS)}]"]},
    "strikes_waves": {
        "columns": ["wave_id", "wave_start", "missiles_launched", "drones_launched"],
        "filter": ["wave_start >= 2022-10-10", "wave_start <= 2022-11-30"]},
}
CUMULATIVE = {"power_stations_destroyed_share", "energy_infrastructure_damaged_share"}

TEXT = {
    "title": {"fr": "Après les vagues de frappes, des bilans officiels de plus en plus lourds",
              "en": "After the waves of strikes, ever heavier official tolls"},
    "subtitle": {"fr": "Missiles et drones de type Shahed lancés par jour, et déclarations officielles sur les "
                       "dégâts, du 10 octobre au 30 novembre 2022",
                 "en": "Missiles and Shahed-type drones launched per day, and official statements on the damage, "
                       "10 October to 30 November 2022"},
    "notes": {"fr": "Les déclarations ne mesurent pas la même chose et ne forment pas une série. En bleu, des dégâts "
                    "cumulés depuis le début des frappes ; en orange, un état à la date dite (système hors service, "
                    "personnes sans courant), qui peut baisser après les réparations. Les évaluations du coût des "
                    "dégâts (PNUD et Banque mondiale, 2023 ; KSE, 2024) couvrent d'autres périmètres et ne sont pas "
                    "représentées.",
              "en": "The statements do not measure the same thing and do not form a series. In blue, damage "
                    "built up since the strikes began; in orange, the state on the day it was said (system out of "
                    "action, people without power), which can fall after repairs. Assessments of the cost of the "
                    "damage (UNDP and World Bank, 2023; KSE, 2024) cover other scopes and are not shown."},
    "source": {"fr": "Armée de l'air ukrainienne, via « Massive Missile Attacks on Ukraine » (Petro Ivaniuk) ; "
                     "présidence et gouvernement ukrainiens, via Reuters, Kyiv Independent, IANS, Interfax-Ukraine",
               "en": "Ukrainian Air Force, via \"Massive Missile Attacks on Ukraine\" (Petro Ivaniuk); Ukrainian "
                     "presidency and government, via Reuters, Kyiv Independent, IANS, Interfax-Ukraine"},
}
LABELS = {
    "launched": {"fr": "Missiles et drones lancés", "en": "Missiles and drones launched"},
    "day": {"fr": "Jour", "en": "Day"},
    "missiles": {"fr": "Missiles", "en": "Missiles"},
    "drones": {"fr": "Drones Shahed", "en": "Shahed drones"},
    "date": {"fr": "Date", "en": "Date"},
    "statement": {"fr": "Déclaration", "en": "Statement"},
    "who_said": {"fr": "Qui l'a dit", "en": "Who said it"},
    "publisher": {"fr": "Publié par", "en": "Published by"},
    "kind": {"fr": "Nature", "en": "Kind"},
    "cumulative": {"fr": "Dégâts cumulés depuis le début des frappes", "en": "Damage built up since the strikes began"},
    "state": {"fr": "État à la date dite", "en": "State on the day it was said"},
    # Each label follows its source's words ("energy infrastructure", "energy system").
    "power_stations_destroyed_share": {"fr": "des centrales électriques\ndétruites",
                                       "en": "of power stations\ndestroyed"},
    "energy_infrastructure_damaged_share": {"fr": "des infrastructures\nénergétiques endommagées",
                                            "en": "of energy infrastructure\ndamaged"},
    "energy_system_disabled_share": {"fr": "du système énergétique\nhors service",
                                     "en": "of the energy system\ndisabled"},
    "people_without_power": {"fr": "de personnes\nsans électricité", "en": "people\nwithout power"},
    "more_than": {"fr": "plus de ", "en": "more than "},
    "nearly": {"fr": "près de ", "en": "almost "},
    "half": {"fr": "la moitié", "en": "half"},
    "millions": {"fr": "{} millions", "en": "{} million"},
}
UNITS = {"launched": {"fr": "par jour", "en": "per day"}}
LEVEL_HEIGHT = 34


def _label(row, t) -> str:
    """The statement in its source's words: "30 % des centrales électriques détruites",
    "près de la moitié du système énergétique hors service", "plus de 10 millions de personnes…"."""
    prefix = t(row.qualifier) if row.qualifier in ("more_than", "nearly") else ""
    noun = t(row.indicator)
    pct = "\u202f%" if t.lang == "fr" else "%"
    if row.unit == "percent" and row.qualifier == "nearly" and row.value == 50:
        return f"{prefix}{t('half')} {noun}"
    if row.unit == "percent":
        high = f"–{t.number(row.value_max)}" if row.qualifier == "range" else ""
        return f"{prefix}{t.number(row.value)}{high}{pct} {noun}"
    return f"{prefix}{t('millions').format(t.number(row.value / 1e6))} {noun}"


def chart(data, t):
    said, waves = data["energy_damage_indicators"], data["strikes_waves"]
    days = (waves.fillna({"missiles_launched": 0, "drones_launched": 0})
            .groupby("wave_start", as_index=False)[["missiles_launched", "drones_launched"]].sum())
    days["launched"] = days["missiles_launched"] + days["drones_launched"]
    days["day"] = days["wave_start"].map(t.date)
    said = said.sort_values(["date", "indicator"]).reset_index(drop=True)
    said = said.assign(statement=[_label(r, t) for r in said.itertuples()],
                       kind=[t("cumulative") if i in CUMULATIVE else t("state") for i in said["indicator"]],
                       when=said["date"].map(t.date),
                       level=range(len(said) - 1, -1, -1))
    # Labels stand in rows above the bars, the latest on top, each reading leftwards from its
    # rule (the earliest rightwards, not to run off the chart): no label crosses another's rule.
    said["right"] = said.index > 0
    said["y"] = said["level"] * LEVEL_HEIGHT + 4
    x = alt.X("wave_start:T", title=None, scale=alt.Scale(domain=["2022-10-08", "2022-12-01"]),
              axis=alt.Axis(format=t.day_month_format, tickCount="week", labelOverlap=True))
    top = float(days["launched"].max()) * (1.9 if t.narrow else 1.7)
    bars = alt.Chart(days).mark_bar(color=t.color("grey"), width=4 if t.narrow else 7).encode(
        x=x, y=alt.Y("launched:Q", title=t.axis_title("launched", "launched"), scale=alt.Scale(domain=[0, top])),
        tooltip=[alt.Tooltip("day:N", title=t("day")),
                 alt.Tooltip("missiles_launched:Q", title=t("missiles"), format=",d"),
                 alt.Tooltip("drones_launched:Q", title=t("drones"), format=",d")])
    # The legend's labels are whole (the site's default limit cut the first one): on a phone,
    # one entry per row from where the plot starts (after the axis) to the picture's edge.
    colour = alt.Color("kind:N", title=None, legend=alt.Legend(labelLimit=min(t.width - 60, 360)),
                       scale=alt.Scale(domain=[t("cumulative"), t("state")],
                                       range=[t.color("blue"), t.color("orange")]))
    tooltip = [alt.Tooltip("when:N", title=t("date")), alt.Tooltip("statement:N", title=t("statement")),
               alt.Tooltip("kind:N", title=t("kind")), alt.Tooltip("who_said:N", title=t("who_said")),
               alt.Tooltip("publisher:N", title=t("publisher"))]
    height = 360 if t.narrow else 340
    size = 10 if t.narrow else 11
    x_said = alt.X("date:T", scale=alt.Scale(domain=["2022-10-08", "2022-12-01"]), title=None)
    layers = [bars]
    # One rule and one label per statement, each on its own row above the bars.
    for i in range(len(said)):
        row = alt.Chart(said.iloc[[i]]).encode(x=x_said, color=colour, tooltip=tooltip)
        y = int(said.at[i, "y"])
        layers.append(row.mark_rule(strokeWidth=2, strokeDash=[4, 2]).encode(y=alt.value(y), y2=alt.value(height)))
        right = bool(said.at[i, "right"])
        layers.append(row.mark_text(align="right" if right else "left", dx=-4 if right else 4, baseline="top",
                                    lineBreak="\n", fontSize=size, fontWeight="bold").encode(
            y=alt.value(y), text="statement:N"))
    return alt.layer(*layers).properties(height=height)
