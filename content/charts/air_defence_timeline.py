"""Air defence for Ukraine in 2022: when NASAMS, Aspide, Hawk and IRIS-T SLM were committed,
announced and when they arrived."""

import altair as alt

DATASET = "air_defence_events"
COLUMNS = ["event_id", "date", "date_precision", "donor", "system", "units", "event_type", "detail", "publisher",
           "source_url"]
FILTER = ["system in [NASAMS, Aspide, Hawk, IRIS-T SLM]"]

TEXT = {
    "title": {"fr": "Défense aérienne : des mois entre la promesse et l'arrivée",
              "en": "Air defence: months between the promise and the arrival"},
    "subtitle": {"fr": "Engagements, annonces et arrivées en Ukraine des systèmes NASAMS, Aspide, Hawk et IRIS-T SLM, 2022",
                 "en": "Commitments, announcements and arrivals in Ukraine of NASAMS, Aspide, Hawk and IRIS-T SLM "
                       "systems, 2022"},
    "notes": {"fr": "La remise du premier IRIS-T SLM est datée du mois (octobre 2022) : le jour exact n'est pas "
                    "connu. Les engagements sont ceux du tracker de l'Institut de Kiel (version 7).",
              "en": "The handover of the first IRIS-T SLM is dated to the month (October 2022): the exact day is "
                    "not known. Commitments are those of the Kiel Institute's tracker (release 7)."},
    "source": {"fr": "Institut de Kiel (Ukraine Support Tracker, version 7) ; Kyiv Independent, Ukrinform, "
                     "Euromaidan Press, stern.de",
               "en": "Kiel Institute (Ukraine Support Tracker, release 7); Kyiv Independent, Ukrinform, "
                     "Euromaidan Press, stern.de"},
}
LABELS = {
    "date": {"fr": "Date", "en": "Date"},
    "system": {"fr": "Système", "en": "System"},
    "donor": {"fr": "Donateur", "en": "Donor"},
    "units": {"fr": "Unités", "en": "Units"},
    "event": {"fr": "Événement", "en": "Event"},
    "publisher": {"fr": "Source", "en": "Source"},
    "committed": {"fr": "Engagement", "en": "Commitment"},
    "announced": {"fr": "Annonce", "en": "Announcement"},
    "delivered": {"fr": "Arrivée en Ukraine", "en": "Arrival in Ukraine"},
}
SYSTEMS = ["NASAMS", "IRIS-T SLM", "Aspide", "Hawk"]
EVENTS = ["committed", "announced", "delivered"]


def chart(df, t):
    df = df.assign(event=df["event_type"].map(t), donor=df["donor"].map(t.country),
                   units=df["units"].astype("float"))
    span = df.groupby("system", as_index=False).agg(start=("date", "min"), end=("date", "max"))
    y = alt.Y("system:N", sort=SYSTEMS, title=None)
    x_scale = alt.Scale(domain=["2022-05-15", "2022-12-15"])
    lines = alt.Chart(span).mark_rule(color=t.color("grey"), strokeWidth=2).encode(
        x=alt.X("start:T", scale=x_scale, title=None), x2="end:T", y=y)
    events = alt.Chart(df).mark_point(filled=True, size=150, opacity=0.95, stroke="white", strokeWidth=1).encode(
        x=alt.X("date:T", scale=x_scale, title=None, axis=alt.Axis(format="%b", tickCount="month")),
        y=y,
        color=alt.Color("event:N", title=None, scale=alt.Scale(domain=[t(e) for e in EVENTS],
                                                              range=[t.color(c) for c in ("blue", "orange", "green")])),
        shape=alt.Shape("event:N", title=None, scale=alt.Scale(domain=[t(e) for e in EVENTS],
                                                              range=["circle", "diamond", "triangle-up"])),
        tooltip=[alt.Tooltip("system:N", title=t("system")), alt.Tooltip("event:N", title=t("event")),
                 alt.Tooltip("date:T", title=t("date"), format=t.date_format),
                 alt.Tooltip("donor:N", title=t("donor")), alt.Tooltip("units:Q", title=t("units")),
                 alt.Tooltip("publisher:N", title=t("publisher"))],
    )
    return alt.layer(lines, events).properties(height=alt.Step(44))
