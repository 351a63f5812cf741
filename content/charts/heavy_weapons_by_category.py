"""Heavy weapons committed and delivered as of 3 October 2022 (Kiel release 7), by category.

Units are added up within a category only (a tank with a tank, a howitzer with a howitzer);
categories are not added together. A delivery the tracker does not report counts as none.
"""

import altair as alt
import pandas as pd

DATASET = "kiel_r7_heavy_weapons"
COLUMNS = ["donor", "system", "category", "units_committed", "units_delivered"]

TEXT = {
    "title": {"fr": "Chars et obusiers étaient en majorité arrivés, à peine plus de la moitié des blindés",
              "en": "Most tanks and howitzers had arrived, just over half the armoured vehicles"},
    "subtitle": {"fr": "Armes lourdes et défense aérienne promises et livrées, par catégorie, "
                       "au 3 octobre 2022 (unités)",
                 "en": "Heavy weapons and air defence committed and delivered, by category, "
                       "as of 3 October 2022 (units)"},
    "notes": {"fr": "Les unités ne sont additionnées qu'à l'intérieur d'une catégorie ; elles y restent "
                    "hétérogènes (les blindés vont du Humvee au véhicule de combat d'infanterie, la défense "
                    "aérienne du canon automoteur Gepard à la batterie S-300). Une livraison que le tracker ne "
                    "signale pas compte pour zéro.",
              "en": "Units are added up only within a category, where they still differ (armoured vehicles run "
                    "from Humvees to infantry fighting vehicles, air defence from Gepard "
                    "self-propelled guns to an S-300 battery). A delivery the tracker does not report counts as zero."},
    "source": {"fr": "Institut de Kiel pour l'économie mondiale, Ukraine Support Tracker, version 7 (au 3 oct. 2022)",
               "en": "Kiel Institute for the World Economy, Ukraine Support Tracker, release 7 (to 3 Oct 2022)"},
}
LABELS = {
    "category": {"fr": "Catégorie", "en": "Category"},
    "weapons": {"fr": "Armes lourdes", "en": "Heavy weapons"},
    "committed": {"fr": "Promises", "en": "Committed"},
    "delivered": {"fr": "Livrées", "en": "Delivered"},
    "share": {"fr": "Part livrée", "en": "Share delivered"},
    "Tank": {"fr": "Chars", "en": "Tanks"},
    "Howitzer": {"fr": "Obusiers", "en": "Howitzers"},
    "Air defence": {"fr": "Défense aérienne", "en": "Air defence"},
    "Multiple rocket launcher": {"fr": "Lance-roquettes", "en": "Rocket launchers"},  # as heavy_weapons_cumulative says it
    "Armoured fighting vehicle": {"fr": "Véhicules blindés", "en": "Armoured vehicles"},
}
UNITS = {"value": {"fr": "unités", "en": "units"}}


def chart(df, t):
    by = (df.assign(units_delivered=df["units_delivered"].fillna(0))
          .groupby("category", as_index=False)[["units_committed", "units_delivered"]].sum())
    by = by.astype({"units_committed": "int64", "units_delivered": "int64"})
    by["share"] = (by["units_delivered"] / by["units_committed"] * 100).round(0)
    by["category_label"] = by["category"].map(t.label)
    pct = "\u202f%" if t.lang == "fr" else "%"
    by["label"] = [f"{t.number(d)} / {t.number(c)} ({t.number(s)}{pct})"
                   for d, c, s in zip(by["units_delivered"], by["units_committed"], by["share"])]
    # At the end of each bar: "646 / 1 170 (55 %)", on phones only the share (the tooltip
    # and the data table give the counts). Vega's autosize does not count text marks, so the
    # scale leaves room for the longest (about 6.6 px a character at 11 px, after the axis
    # labels' ~170 px).
    by["bar_label"] = [f"{t.number(s)}{pct}" for s in by["share"]] if t.narrow else by["label"]
    room = (by["bar_label"].str.len().max() * 6.6 + 8) / (t.width - 170)
    domain_max = float(by["units_committed"].max()) / (1 - min(room, 0.6))
    order = by.sort_values("share", ascending=False)["category_label"].tolist()
    committed, delivered = t("committed"), t("delivered")
    long = pd.concat([by.assign(measure=committed, value=by["units_committed"]),
                      by.assign(measure=delivered, value=by["units_delivered"])])
    colour = alt.Color("measure:N", title=None, scale=alt.Scale(
        domain=[committed, delivered], range=[t.color("pale_orange"), t.color("vermillion")]))
    tooltip = [alt.Tooltip("category_label:N", title=t("category")),
               alt.Tooltip("units_committed:Q", title=committed, format=",d"),
               alt.Tooltip("units_delivered:Q", title=delivered, format=",d"),
               alt.Tooltip("label:N", title=t("share"))]
    y = alt.Y("category_label:N", sort=order, title=None)
    x = alt.X("value:Q", title=t.axis_title("weapons", "value"), scale=alt.Scale(domainMax=domain_max))
    base = alt.Chart(long).encode(y=y, x=x, color=colour, tooltip=tooltip)
    full = base.transform_filter(alt.datum.measure == committed).mark_bar(height={"band": 0.8})
    inner = base.transform_filter(alt.datum.measure == delivered).mark_bar(height={"band": 0.4})
    text = alt.Chart(by).mark_text(align="left", dx=4, fontSize=11, color=t.color("ink")).encode(
        y=y, x=alt.X("units_committed:Q", title=t.axis_title("weapons", "value")), text="bar_label:N")
    return alt.layer(full, inner, text).properties(height=alt.Step(34))
