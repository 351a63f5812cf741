"""In-kind military aid committed versus delivered, by donor, as of 3 October 2022.

The gap the seed story turns on: the United States had committed far more than it had
delivered. Donors with less than €0.1 bn committed are left out (their bars would not show).
"""

import altair as alt
import pandas as pd

DATASET = "kiel_r7_inkind_aid"
COLUMNS = ["donor", "committed_eur_bn", "delivered_eur_bn", "share_delivered_pct"]
FILTER = ["committed_eur_bn >= 0.1"]

TEXT = {
    "title": {"fr": "L'aide militaire en nature promise n'était livrée qu'en partie",
              "en": "Much of the in-kind military aid committed had not been delivered"},
    "subtitle": {"fr": "Aide militaire en nature promise et livrée, par donateur, au 3 octobre 2022 (milliards d'euros)",
                 "en": "In-kind military aid committed and delivered, by donor, as of 3 October 2022 (€ billion)"},
    "notes": {"fr": "Donateurs ayant promis au moins 0,1 milliard d'euros d'aide en nature. Les montants sont les "
                    "estimations de l'Institut de Kiel, convertis en euros.",
              "en": "Donors that committed at least €0.1 billion in kind. Amounts are the Kiel Institute's "
                    "estimates, converted to euros."},
    "source": {"fr": "Institut de Kiel pour l'économie mondiale, Ukraine Support Tracker, version 7 (au 3 oct. 2022)",
               "en": "Kiel Institute for the World Economy, Ukraine Support Tracker, release 7 (to 3 Oct 2022)"},
}
LABELS = {
    "donor": {"fr": "Donateur", "en": "Donor"},
    "amount": {"fr": "Aide en nature", "en": "In-kind aid"},
    "committed": {"fr": "Promis", "en": "Committed"},
    "delivered": {"fr": "Livré", "en": "Delivered"},
    "share": {"fr": "Part livrée (%)", "en": "Share delivered (%)"},
}
UNITS = {"value": "€ billion"}  # the schema's unit of the two folded columns


def chart(df, t):
    df = df.assign(donor=df["donor"].map(t.country))
    order = df.sort_values("committed_eur_bn", ascending=False)["donor"].tolist()
    committed, delivered = t("committed"), t("delivered")
    long = pd.concat([df.assign(kind="committed", measure=committed, value=df["committed_eur_bn"]),
                      df.assign(kind="delivered", measure=delivered, value=df["delivered_eur_bn"])])
    colour = alt.Color("measure:N", title=None,
                       scale=alt.Scale(domain=[committed, delivered],
                                       range=[t.color("pale_blue"), t.color("blue")]))
    x = alt.X("value:Q", title=t.axis_title("amount", "value"))
    tooltip = [alt.Tooltip("donor:N", title=t("donor")),
               alt.Tooltip("committed_eur_bn:Q", title=committed, format=",.2f"),
               alt.Tooltip("delivered_eur_bn:Q", title=delivered, format=",.2f"),
               alt.Tooltip("share_delivered_pct:Q", title=t("share"), format=",.0f")]
    base = alt.Chart(long).encode(y=alt.Y("donor:N", sort=order, title=None), x=x, color=colour, tooltip=tooltip)
    full = base.transform_filter(alt.datum.kind == "committed").mark_bar(height={"band": 0.8})
    inner = base.transform_filter(alt.datum.kind == "delivered").mark_bar(height={"band": 0.4})
    return alt.layer(full, inner).properties(height=alt.Step(20))
