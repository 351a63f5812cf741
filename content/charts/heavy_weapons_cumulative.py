"""Heavy weapons allocated to Ukraine by donor and category, cumulative to April 2026 (Kiel release 29)."""

import altair as alt

DATASET = "kiel_weapons_cumulative"
COLUMNS = ["donor", "category", "units", "weapons_list"]

TEXT = {
    "title": {"fr": "Quatre ans plus tard : les armes lourdes allouées, donateur par donateur",
              "en": "Four years on: heavy weapons allocated, donor by donor"},
    "subtitle": {"fr": "Armes lourdes allouées à l'Ukraine par donateur et catégorie, cumul jusqu'à avril 2026 (unités)",
                 "en": "Heavy weapons allocated to Ukraine by donor and category, cumulative to April 2026 (units)"},
    "notes": {"fr": "Unités allouées, au sens de Kiel : livrées ou affectées à une livraison dans un paquet précis, "
                    "pas nécessairement arrivées. Chaque couleur est une catégorie ; la longueur totale d'une barre "
                    "empile des matériels qui ne se comparent pas un pour un (un char, une batterie Patriot).",
              "en": "Units allocated, in Kiel's sense: delivered or earmarked for delivery in a specific package, "
                    "not necessarily arrived. Each colour is a category; the full length of a bar stacks items "
                    "that do not compare one for one (a tank, a Patriot battery)."},
    "source": {"fr": "Institut de Kiel pour l'économie mondiale, Ukraine Support Tracker, version 29 (avril 2026)",
               "en": "Kiel Institute for the World Economy, Ukraine Support Tracker, release 29 (April 2026)"},
}
LABELS = {
    "donor": {"fr": "Donateur", "en": "Donor"},
    "category": {"fr": "Catégorie", "en": "Category"},
    "weapons": {"fr": "Armes lourdes", "en": "Heavy weapons"},
    "units": {"fr": "Unités", "en": "Units"},
    "weapons_list": {"fr": "Matériels", "en": "Items"},
    "Tanks": {"fr": "Chars", "en": "Tanks"},
    "IFV": {"fr": "Véhicules de combat", "en": "Fighting vehicles"},
    "Howitzers": {"fr": "Obusiers", "en": "Howitzers"},
    "MLRS": {"fr": "Lance-roquettes", "en": "Rocket launchers"},
    "Air Defense": {"fr": "Défense aérienne", "en": "Air defence"},
}
CATEGORIES = ["Tanks", "IFV", "Howitzers", "MLRS", "Air Defense"]
COLOURS = ["blue", "orange", "green", "vermillion", "purple"]


def chart(df, t):
    totals = df.groupby("donor")["units"].sum().sort_values(ascending=False)
    df = df.assign(donor=df["donor"].map(t.country), category=df["category"].map(t.label),
                   order=df["category"].map(CATEGORIES.index))
    order = [t.country(name) for name in totals.index]
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("donor:N", sort=order, title=None),
        x=alt.X("sum(units):Q", title=t.axis_title("weapons", "units")),
        color=alt.Color("category:N", title=None,
                        scale=alt.Scale(domain=[t(c) for c in CATEGORIES], range=[t.color(c) for c in COLOURS])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("donor:N", title=t("donor")), alt.Tooltip("category:N", title=t("category")),
                 alt.Tooltip("units:Q", title=t("units"), format=",d"),
                 alt.Tooltip("weapons_list:N", title=t("weapons_list"))],
    ).properties(height=alt.Step(18))
