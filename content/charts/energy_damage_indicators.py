"""Damage to Ukraine's energy system as stated over time, each point with who said it and where.

The indicators have different units (shares, people, dollars), so each gets its own row and
every point is labelled with its value rather than read off a common axis.
"""

import altair as alt

DATASET = "energy_damage_indicators"
COLUMNS = ["fact_id", "date", "indicator", "value", "value_max", "qualifier", "unit", "who_said", "publisher",
           "source_url"]
FILTER = ["fact_id in [zelensky-power-stations-2022-10-18, zelensky-energy-infra-2022-11-07-range, "
          "zelensky-without-power-2022-11-07, zelensky-without-power-2022-11-17, shmyhal-energy-system-2022-11-18, "
          "undp-wb-damage-2023-04-05, undp-wb-without-power-2023-04-05, kse-damage-2024-06-10]"]

TEXT = {
    "title": {"fr": "Un réseau électrique touché, des millions de personnes dans le noir",
              "en": "A grid hit hard, millions left in the dark"},
    "subtitle": {"fr": "Indicateurs de dommages au système énergétique ukrainien, tels que déclarés, "
                       "octobre 2022 à juin 2024",
                 "en": "Indicators of damage to Ukraine's energy system as stated, October 2022 to June 2024"},
    "notes": {"fr": "Chaque point est une déclaration datée, avec sa source dans le tableau et l'infobulle. Les "
                    "périmètres diffèrent d'une source à l'autre : les valeurs ne s'additionnent pas.",
              "en": "Each point is a dated statement, with its source in the table and the tooltip. Scopes differ "
                    "from one source to another: the values do not add up."},
    "source": {"fr": "Présidence et gouvernement ukrainiens (via Reuters, Kyiv Independent, IANS, Interfax-Ukraine), "
                     "PNUD et Banque mondiale, Kyiv School of Economics",
               "en": "Ukrainian presidency and government (via Reuters, Kyiv Independent, IANS, Interfax-Ukraine), "
                     "UNDP and World Bank, Kyiv School of Economics"},
}
LABELS = {
    "power_stations_destroyed_share": {"fr": "Centrales détruites", "en": "Power stations destroyed"},
    "energy_infrastructure_damaged_share": {"fr": "Réseau endommagé", "en": "Infrastructure damaged"},
    "energy_system_disabled_share": {"fr": "Système hors service", "en": "System disabled"},
    "people_without_power": {"fr": "Sans électricité", "en": "Without power"},
    "damage_usd_bn": {"fr": "Dommages évalués", "en": "Assessed damage"},
    "date": {"fr": "Date", "en": "Date"},
    "indicator": {"fr": "Indicateur", "en": "Indicator"},
    "value": {"fr": "Valeur", "en": "Value"},
    "who_said": {"fr": "Qui l'a dit", "en": "Who said it"},
    "publisher": {"fr": "Publié par", "en": "Published by"},
    "more_than": {"fr": "plus de ", "en": "more than "},
    "nearly": {"fr": "près de ", "en": "nearly "},
    "about": {"fr": "environ ", "en": "about "},
    "millions": {"fr": "{} millions", "en": "{} million"},
    "usd_bn": {"fr": "{} milliards de dollars", "en": "${} billion"},
    "millions_short": {"fr": "{}\u00a0M", "en": "{}M"},
    "usd_bn_short": {"fr": "{}\u00a0Md$", "en": "${}bn"},
}
ORDER = ["power_stations_destroyed_share", "energy_infrastructure_damaged_share", "energy_system_disabled_share",
         "people_without_power", "damage_usd_bn"]


SIGNS = {"more_than": "> ", "nearly": "≈\u00a0", "about": "≈\u00a0"}


def _value_text(row, t, short=False):
    """The value as stated ("more than 10 million"), or compact for the label by the dot ("> 10 M")."""
    prefix = (SIGNS if short else {k: t(k) for k in SIGNS}).get(row.qualifier, "")
    suffix = "_short" if short else ""
    if row.unit == "percent":
        high = f"–{t.number(row.value_max)}" if row.qualifier == "range" else ""
        return f"{prefix}{t.number(row.value)}{high}\u202f%"
    if row.unit == "people":
        return prefix + t("millions" + suffix).format(t.number(row.value / 1e6))
    if row.unit == "usd_bn":
        return prefix + t("usd_bn" + suffix).format(t.number(row.value))
    return prefix + t.number(row.value)


def chart(df, t):
    df = df.assign(label=[_value_text(r, t) for r in df.itertuples()],
                   short=[_value_text(r, t, short=True) for r in df.itertuples()],
                   indicator_label=df["indicator"].map(t)).sort_values(["indicator", "date"])
    # Labels of neighbouring points of one indicator alternate above and below the dot.
    df["below"] = df.groupby("indicator").cumcount() % 2 == 1
    order = [t(i) for i in ORDER]
    base = alt.Chart(df).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format=t.month_format, labelOverlap=True),
                scale=alt.Scale(padding=40 if t.narrow else 60)),
        y=alt.Y("indicator_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=150 if t.narrow else 240)),
        tooltip=[alt.Tooltip("indicator_label:N", title=t("indicator")),
                 alt.Tooltip("label:N", title=t("value")),
                 alt.Tooltip("date:T", title=t("date"), format=t.date_format),
                 alt.Tooltip("who_said:N", title=t("who_said")),
                 alt.Tooltip("publisher:N", title=t("publisher"))],
    )
    dots = base.mark_point(filled=True, size=90, color=t.color("vermillion"))
    size = 11 if t.narrow else 12
    above = base.transform_filter("!datum.below").mark_text(dy=-13, fontSize=size, fontWeight="bold")
    below = base.transform_filter("datum.below").mark_text(dy=15, fontSize=size, fontWeight="bold")
    return alt.layer(dots, above.encode(text="short:N"), below.encode(text="short:N")).properties(
        height=alt.Step(62 if t.narrow else 54))
