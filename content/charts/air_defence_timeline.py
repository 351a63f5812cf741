"""Air defence for Ukraine in 2022: when NASAMS, Aspide, Hawk and IRIS-T SLM were committed,
announced and when they arrived."""

import altair as alt
import pandas as pd

DATASET = "air_defence_events"
COLUMNS = ["event_id", "date", "date_precision", "donor", "system", "units", "event_type", "detail", "publisher",
           "source_url"]
# Spain's June 2022 pledge in the Kiel tracker was Aspide missiles (number undisclosed), not
# the battery announced on 2 November: it is left out of a timeline of systems.
FILTER = ["system in [NASAMS, Aspide, Hawk, IRIS-T SLM]", "event_id != kiel-r7-esm5-aspide-2022-06-05"]
# Release 7 of the Kiel tracker stops on 3 October 2022 and records no IRIS-T delivered: an
# event known only to its month (the first IRIS-T handover, October 2022) came after that day.
RELEASE7_CUTOFF = "2022-10-03"

TEXT = {
    "title": {"fr": "Défense aérienne : des mois entre la promesse et l'arrivée",
              "en": "Air defence: months between the promise and the arrival"},
    "subtitle": {"fr": "Engagements, annonces et arrivées en Ukraine des systèmes NASAMS, Aspide, Hawk et IRIS-T SLM, 2022",
                 "en": "Commitments, announcements and arrivals in Ukraine of NASAMS, Aspide, Hawk and IRIS-T SLM "
                       "systems, 2022"},
    "notes": {"fr": "La remise du premier IRIS-T SLM n'est connue qu'au mois : la barre couvre octobre 2022 après "
                    "le 3 octobre, date d'arrêt de la 7e version du tracker de Kiel, qui ne compte encore aucun "
                    "IRIS-T livré. L'engagement espagnol de juin 2022 portait sur des missiles Aspide, pas sur une "
                    "batterie : il n'est pas représenté.",
              "en": "The handover of the first IRIS-T SLM is known only to the month: the bar covers October 2022 "
                    "after 3 October, the cut-off of release 7 of the Kiel tracker, which counts no IRIS-T "
                    "delivered yet. Spain's June 2022 pledge was Aspide missiles, not a battery: it is not shown."},
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
    monthly = df["date_precision"] == "month"
    after_cutoff = pd.Timestamp(RELEASE7_CUTOFF) + pd.Timedelta(days=1)
    df["start"] = df["date"].where(~monthly, df["date"].clip(lower=after_cutoff))
    df["end"] = df["date"].where(~monthly, df["date"] + pd.offsets.MonthEnd(0))
    df["when"] = [t.date(d, month=True) if m else t.date(d) for d, m in zip(df["date"], monthly)]
    span = df.groupby("system", as_index=False).agg(start=("start", "min"), end=("start", "max"))
    y = alt.Y("system:N", sort=SYSTEMS, title=None)
    # date and time written out, as the data is: a bare "2022-06-15" is read as UTC and the
    # dates as local time, so a reader's browser in another zone would shift one against the other
    x_scale = alt.Scale(domain=["2022-06-15T00:00:00", "2022-12-15T00:00:00"])
    axis = alt.Axis(format="%b", tickCount="month")
    colour = alt.Color("event:N", title=None, scale=alt.Scale(domain=[t(e) for e in EVENTS],
                                                             range=[t.color(c) for c in ("blue", "orange", "green")]))
    tooltip = [alt.Tooltip("system:N", title=t("system")), alt.Tooltip("event:N", title=t("event")),
               alt.Tooltip("when:N", title=t("date")),
               alt.Tooltip("donor:N", title=t("donor")), alt.Tooltip("units:Q", title=t("units")),
               alt.Tooltip("publisher:N", title=t("publisher"))]
    lines = alt.Chart(span).mark_rule(color=t.color("grey"), strokeWidth=2).encode(
        x=alt.X("start:T", scale=x_scale, title=None, axis=axis), x2="end:T", y=y)
    months = alt.Chart(df[monthly]).mark_bar(height=14, opacity=0.8, cornerRadius=3).encode(
        x=alt.X("start:T", scale=x_scale, title=None, axis=axis), x2="end:T", y=y, color=colour, tooltip=tooltip)
    events = alt.Chart(df[~monthly]).mark_point(filled=True, size=150, opacity=0.95, stroke="white",
                                                strokeWidth=1).encode(
        x=alt.X("date:T", scale=x_scale, title=None, axis=axis),
        y=y,
        color=colour,
        shape=alt.Shape("event:N", title=None, scale=alt.Scale(domain=[t(e) for e in EVENTS],
                                                              range=["circle", "diamond", "triangle-up"])),
        tooltip=tooltip,
    )
    return alt.layer(lines, months, events).properties(height=alt.Step(44))
