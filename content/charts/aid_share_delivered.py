"""Share of the in-kind military aid each donor had committed that it had delivered, as of
3 October 2022 (Kiel release 7), sorted, with the share written on each bar.

The share is computed here from the two amounts, not read from Kiel's share column, which
gives Turkey 0 % for 67 % (see the dataset's caveats). Donors with less than €0.1 bn
committed are left out, as in the chart of amounts.
"""

import altair as alt

DATASET = "kiel_r7_inkind_aid"
COLUMNS = ["donor", "committed_eur_bn", "delivered_eur_bn"]
FILTER = ["committed_eur_bn >= 0.1"]

TEXT = {
    "title": {"fr": "La plupart des donateurs avaient livré l'essentiel de leurs promesses, pas le premier d'entre eux",
              "en": "Most donors had delivered most of what they pledged; the largest had not"},
    "subtitle": {"fr": "Part de l'aide militaire en nature promise qui avait été livrée, par donateur, "
                       "au 3 octobre 2022 (%)",
                 "en": "Share of the in-kind military aid committed that had been delivered, by donor, "
                       "as of 3 October 2022 (%)"},
    "notes": {"fr": "Livré rapporté au promis, en valeur (estimations de Kiel). Donateurs ayant promis au moins "
                    "0,1 milliard d'euros. Une livraison que le tracker ne signale pas n'est pas comptée.",
              "en": "Delivered over committed, by value (Kiel's estimates). Donors that committed at least "
                    "€0.1 billion. A delivery the tracker does not report is not counted."},
    "source": {"fr": "Institut de Kiel pour l'économie mondiale, Ukraine Support Tracker, version 7 (au 3 oct. 2022)",
               "en": "Kiel Institute for the World Economy, Ukraine Support Tracker, release 7 (to 3 Oct 2022)"},
}
LABELS = {
    "donor": {"fr": "Donateur", "en": "Donor"},
    "share": {"fr": "Part livrée", "en": "Share delivered"},
    "committed": {"fr": "Promis", "en": "Committed"},
    "delivered": {"fr": "Livré", "en": "Delivered"},
}
UNITS = {"share_pct": {"fr": "%", "en": "%"}}


def chart(df, t):
    df = df.assign(donor=df["donor"].map(t.country),
                   share_pct=(df["delivered_eur_bn"] / df["committed_eur_bn"] * 100).round(0))
    df["label"] = [f"{t.number(v)}\u202f%" if t.lang == "fr" else f"{t.number(v)}%" for v in df["share_pct"]]
    order = df.sort_values(["share_pct", "committed_eur_bn"], ascending=False)["donor"].tolist()
    y = alt.Y("donor:N", sort=order, title=None)
    x = alt.X("share_pct:Q", title=t.axis_title("share", "share_pct"), scale=alt.Scale(domain=[0, 100]))
    tooltip = [alt.Tooltip("donor:N", title=t("donor")), alt.Tooltip("label:N", title=t("share")),
               alt.Tooltip("committed_eur_bn:Q", title=t.axis_title("committed", "committed_eur_bn"), format=",.2f"),
               alt.Tooltip("delivered_eur_bn:Q", title=t.axis_title("delivered", "delivered_eur_bn"), format=",.2f")]
    base = alt.Chart(df).encode(y=y, x=x, tooltip=tooltip)
    bars = base.mark_bar(height={"band": 0.7}, color=t.color("blue"))
    labels = base.mark_text(align="left", dx=3, fontSize=11, color=t.color("ink")).encode(text="label:N")
    return alt.layer(bars, labels).properties(height=alt.Step(20))
