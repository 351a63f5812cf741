"""Heavy weapons committed versus delivered, by donor, as of 3 October 2022 (Kiel release 7).

Units of every type (tanks, howitzers, rocket launchers, armoured vehicles, air defence)
are added up per donor; a delivery the tracker does not report counts as none delivered.
"""

import altair as alt
import pandas as pd

DATASET = "kiel_r7_heavy_weapons"
COLUMNS = ["donor", "system", "category", "units_committed", "units_delivered"]

TEXT = {
    "title": {"fr": "Les armes lourdes promises arrivaient plus lentement",
              "en": "Heavy weapons arrived more slowly than they were promised"},
    "subtitle": {"fr": "Armes lourdes et défense aérienne promises et livrées, par donateur, au 3 octobre 2022 (unités)",
                 "en": "Heavy weapons and air defence committed and delivered, by donor, as of 3 October 2022 (units)"},
    "notes": {"fr": "Toutes catégories additionnées (chars, obusiers, lance-roquettes, véhicules blindés, défense "
                    "aérienne). Une livraison non renseignée par le tracker compte pour zéro.",
              "en": "All categories added up (tanks, howitzers, rocket launchers, armoured vehicles, air defence). "
                    "A delivery the tracker does not report counts as zero."},
    "source": {"fr": "Institut de Kiel pour l'économie mondiale, Ukraine Support Tracker, version 7 (au 3 oct. 2022)",
               "en": "Kiel Institute for the World Economy, Ukraine Support Tracker, release 7 (to 3 Oct 2022)"},
}
LABELS = {
    "donor": {"fr": "Donateur", "en": "Donor"},
    "weapons": {"fr": "Armes lourdes", "en": "Heavy weapons"},
    "committed": {"fr": "Promises", "en": "Committed"},
    "delivered": {"fr": "Livrées", "en": "Delivered"},
    "systems": {"fr": "Systèmes", "en": "Systems"},
}
UNITS = {"value": {"fr": "unités", "en": "units"}}


def chart(df, t):
    by_donor = (df.assign(units_delivered=df["units_delivered"].fillna(0))
                .groupby("donor", as_index=False)
                .agg(units_committed=("units_committed", "sum"), units_delivered=("units_delivered", "sum"),
                     systems=("system", "count")))
    by_donor["donor"] = by_donor["donor"].map(t.country)
    by_donor = by_donor.astype({"units_committed": "int64", "units_delivered": "int64"})
    order = by_donor.sort_values("units_committed", ascending=False)["donor"].tolist()
    committed, delivered = t("committed"), t("delivered")
    long = pd.concat([by_donor.assign(kind="committed", measure=committed, value=by_donor["units_committed"]),
                      by_donor.assign(kind="delivered", measure=delivered, value=by_donor["units_delivered"])])
    colour = alt.Color("measure:N", title=None,
                       scale=alt.Scale(domain=[committed, delivered],
                                       range=[t.color("pale_orange"), t.color("vermillion")]))
    tooltip = [alt.Tooltip("donor:N", title=t("donor")),
               alt.Tooltip("units_committed:Q", title=committed, format=",d"),
               alt.Tooltip("units_delivered:Q", title=delivered, format=",d"),
               alt.Tooltip("systems:Q", title=t("systems"), format="d")]
    base = alt.Chart(long).encode(y=alt.Y("donor:N", sort=order, title=None),
                                  x=alt.X("value:Q", title=t.axis_title("weapons", "value")),
                                  color=colour, tooltip=tooltip)
    full = base.transform_filter(alt.datum.kind == "committed").mark_bar(height={"band": 0.8})
    inner = base.transform_filter(alt.datum.kind == "delivered").mark_bar(height={"band": 0.4})
    return alt.layer(full, inner).properties(height=alt.Step(22))
