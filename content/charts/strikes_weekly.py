"""Long-range missiles and Shahed-type drones launched per week, September 2022 to 2026,
with the autumn 2022 strike waves (10 October to 23 November 2022) marked."""

import altair as alt
import pandas as pd

DATASET = "strikes_weekly"
COLUMNS = ["week_start", "missiles_launched", "drones_launched", "attack_windows"]
WAVES = ("2022-10-10", "2022-11-23")

TEXT = {
    "title": {"fr": "Depuis l'automne 2022, bien plus de drones lancés que de missiles, leurres compris",
              "en": "Since autumn 2022, far more drones launched than missiles, decoys included"},
    "subtitle": {"fr": "Missiles et drones de type Shahed lancés contre l'Ukraine, par semaine, "
                       "de septembre 2022 à février 2026",
                 "en": "Missiles and Shahed-type drones launched at Ukraine per week, September 2022 to "
                       "February 2026"},
    "notes": {"fr": "Semaines du lundi au dimanche. À partir de la fin de 2024, les drones comptés par l'armée de "
                    "l'air incluent des leurres. La bande grisée marque les vagues du 10 octobre au "
                    "23 novembre 2022 ; les données ne disent pas quelles cibles étaient visées.",
              "en": "Weeks run Monday to Sunday. From late 2024 the drones the Air Force counts include decoys. "
                    "The grey band marks the waves of 10 October to 23 November 2022; "
                    "the data do not say what was targeted."},
    "source": {"fr": "Armée de l'air ukrainienne, via le jeu de données « Massive Missile Attacks on Ukraine » "
                     "(Petro Ivaniuk)",
               "en": "Ukrainian Air Force, via the \"Massive Missile Attacks on Ukraine\" dataset (Petro Ivaniuk)"},
}
LABELS = {
    "week": {"fr": "Semaine du", "en": "Week of"},
    "launched": {"fr": "Lancés par semaine", "en": "Launched per week"},
    "missiles": {"fr": "Missiles", "en": "Missiles"},
    "drones": {"fr": "Drones Shahed", "en": "Shahed drones"},
    "waves": {"fr": "Vagues d'oct.-nov. 2022", "en": "Oct-Nov 2022 waves"},
    "windows": {"fr": "Fenêtres d'attaque", "en": "Attack windows"},
}
UNITS = {"value": {"fr": "nombre", "en": "number"}}


def chart(df, t):
    missiles, drones = t("missiles"), t("drones")
    long = pd.concat([df.assign(kind=missiles, value=df["missiles_launched"]),
                      df.assign(kind=drones, value=df["drones_launched"])])
    long = long.astype({"value": "int64"})
    x = alt.X("week_start:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    band = alt.Chart(pd.DataFrame({"start": [pd.Timestamp(WAVES[0])], "end": [pd.Timestamp(WAVES[1])],
                                   "label": [t("waves")]}))
    shade = band.mark_rect(color=t.color("grey"), opacity=0.25).encode(x="start:T", x2="end:T")
    note = band.mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=11, color=t.color("ink")).encode(
        x="start:T", y=alt.value(0), text="label:N")
    hover = alt.selection_point(name="week", fields=["week_start"], nearest=True, on="pointerover",
                                clear="pointerout", empty=False)
    colour = alt.Color("kind:N", title=None,
                       scale=alt.Scale(domain=[missiles, drones], range=[t.color("blue"), t.color("orange")]))
    tooltip = [alt.Tooltip("week_start:T", title=t("week"), format=t.date_format),
               alt.Tooltip("missiles_launched:Q", title=missiles, format=",d"),
               alt.Tooltip("drones_launched:Q", title=drones, format=",d"),
               alt.Tooltip("attack_windows:Q", title=t("windows"))]
    y = alt.Y("value:Q", title=t.axis_title("launched", "value"))
    lines = alt.Chart(long).mark_line(strokeWidth=1.6, interpolate="monotone").encode(x=x, y=y, color=colour)
    points = alt.Chart(long).mark_point(filled=True, size=40).encode(
        x=x, y=y, color=colour, opacity=alt.condition(hover, alt.value(1), alt.value(0)),
        tooltip=tooltip).add_params(hover)
    # Every week has its (invisible) rule, so the layer is never empty: an empty mark group
    # would reach screen readers with a role and no name.
    rule = alt.Chart(df).mark_rule(color=t.color("ink"), strokeWidth=1).encode(
        x="week_start:T", opacity=alt.condition(hover, alt.value(0.6), alt.value(0)))
    return alt.layer(shade, lines, rule, points, note).properties(height=300 if t.narrow else 320)
