"""Long-range strikes (missiles and Shahed-type drones) per reported attack
window, from Petro Ivaniuk's "Massive Missile Attacks on Ukraine" dataset joined
to its model reference table; plus a weekly aggregate.

Tactical and reconnaissance drones (Orlan, ZALA, Supercam, Lancet...), guided
bombs and unidentified drones are excluded: the story is the strike campaign on
the energy system, which was carried by missiles and Shahed-type drones.
"""

from __future__ import annotations

import re

import pandas as pd

from .common import Table, bi, field, text_field, rel, source_fk, source_id_field, source_url_field
from .sources import UNCLEAR, UNCLEAR_FR

RAW = "missile_attacks_ua"
MISSILE = {"cruise_missile", "ballistic_missile", "missile_mixed", "surface_to_air_missile"}
DRONE = {"shahed_drone"}
EXCLUDED = {"tactical_or_recon_drone", "unknown_drone", "drone_mixed", "guided_bomb"}
CLASS_BY_CATEGORY = {
    "cruise missile": "cruise_missile", "ballistic missile": "ballistic_missile",
    "surface-to-air missile": "surface_to_air_missile", "surface-to-air and ballistic": "missile_mixed",
    "guided bomb": "guided_bomb",
}
# Models the upstream reference table lacks or files oddly; each choice is ours.
OVERRIDES = {
    "Shahed-136/131": ("UAV", "shahed_drone"),
    "Unknown UAV": ("UAV", "unknown_drone"),
    "Shahed-136/131 and Lancet": ("UAV", "drone_mixed"),
    "X-47 Kinzhal and Iskander-M/KN-23": ("ballistic missile", "ballistic_missile"),
    "X-101/X-555 and Kalibr and Iskander-M/KN-23": ("cruise and ballistic missile", "missile_mixed"),
    "Iskander-M and Iskander-K": ("cruise and ballistic missile", "missile_mixed"),
    "Iskander-M/KN-23 and Iskander-K and Kalibr": ("cruise and ballistic missile", "missile_mixed"),
    "Iskander-M/KN-23 and Iskander-K and X-59/X-69": ("cruise and ballistic missile", "missile_mixed"),
    "Aerial Bomb": ("guided bomb", "guided_bomb"),
    "Картограф": ("UAV", "tactical_or_recon_drone"),
    "Фенікс": ("UAV", "tactical_or_recon_drone"),
    "Привет-82": ("UAV", "tactical_or_recon_drone"),
}
LICENCE = [{"name": "unclear-attribution-requested", "title": UNCLEAR, "title_fr": UNCLEAR_FR,
            "path": "https://www.kaggle.com/datasets/piterfm/massive-missile-attacks-on-ukraine"}]
PUBLISHER = {"name": "Petro Ivaniuk (Kaggle: piterfm), from Ukrainian Air Force reports",
             "name_fr": "Petro Ivaniuk (Kaggle : piterfm), d'après les communiqués de l'armée de l'air ukrainienne",
             "url": "https://www.kaggle.com/datasets/piterfm/massive-missile-attacks-on-ukraine"}
CITATION = ("Petro Ivaniuk (Kaggle: piterfm), \"Massive Missile Attacks on Ukraine\", from daily reports of "
            "the Air Force Command and the General Staff of the Armed Forces of Ukraine.")
CAVEATS_EN = [
    "Launched and shot-down counts are Ukrainian official claims.",
    "Only missiles and Shahed-type drones are counted. Tactical and reconnaissance drones (Orlan, ZALA, "
    "Supercam, Lancet...), guided bombs and drones the reports do not identify are excluded.",
    "Reporting changed over time: 2022 reports cover strike waves, 2024-26 reports cover nights. "
    "Weekly sums are comparable; counts of windows are not.",
    "From late 2024 the Air Force's drone figures include decoy drones.",
    "The data do not say what was targeted or hit; they cannot show strikes on the energy system as such.",
]
CAVEATS_FR = [
    "Les nombres de lancés et d'abattus sont des déclarations officielles ukrainiennes.",
    "Seuls les missiles et les drones de type Shahed sont comptés. Les drones tactiques et de reconnaissance "
    "(Orlan, ZALA, Supercam, Lancet...), les bombes guidées et les drones non identifiés sont exclus.",
    "Les comptes rendus ont changé : en 2022 ils portent sur des vagues, en 2024-2026 sur des nuits. "
    "Les sommes hebdomadaires sont comparables, pas le nombre de fenêtres.",
    "À partir de fin 2024, les chiffres de drones de l'armée de l'air incluent des leurres.",
    "Les données ne disent pas ce qui était visé ou touché : elles ne montrent pas les frappes sur le "
    "système énergétique en tant que telles.",
]
COMMON = {"publisher": PUBLISHER, "licenses": LICENCE, "citation": CITATION,
          "release": "Kaggle dataset as mirrored on 2026-03-06", "as_of": "2026-03-01",
          "temporal": {"start": "2022-09-28", "end": "2026-03-01"},
          "caveats_en": CAVEATS_EN, "caveats_fr": CAVEATS_FR}
TIME = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?: (?P<h>\d{1,2}):(?P<m>\d{2}))?")


def _split(value: str) -> tuple[str, str]:
    match = TIME.fullmatch(value.strip())
    if not match:
        raise ValueError(f"unreadable time {value!r}")
    clock = f"{int(match['h']):02d}:{match['m']}" if match["h"] else ""
    return match["date"], clock


def _source_url(post: str) -> str:
    """Upstream stores Facebook page paths (``kpszsu/posts/pfbid...``) and a few full URLs."""
    post = post.strip()
    if post.startswith("http"):
        return post
    if post.startswith("kharkivoda.gov.ua/"):
        return "https://" + post
    return "https://www.facebook.com/" + post


def models(raw, log) -> Table:
    path = raw / RAW / "missiles_and_uavs.csv"
    ref = pd.read_csv(path, dtype=str, keep_default_na=False)
    log.read(path, len(ref))
    ref["in_upstream_reference"] = True
    return ref


def build(raw, log) -> list[Table]:
    ref = models(raw, log)
    path = raw / RAW / "missile_attacks_daily.csv"
    src = pd.read_csv(path, dtype=str, keep_default_na=False)
    log.read(path, len(src))

    missing = sorted(set(src["model"]) - set(ref["model"]))
    extra = pd.DataFrame({"model": missing, "in_upstream_reference": False})
    ref = pd.concat([ref, extra], ignore_index=True).fillna("")
    unknown = [m for m in missing if m not in OVERRIDES]
    if unknown:
        raise ValueError(f"{rel(path)}: models with no reference entry and no override: {unknown}. "
                         f"Classify them in data/curate/strikes.py OVERRIDES.")
    log.note(f"{len(missing)} models used in attacks but absent from missiles_and_uavs.csv, "
             f"classified by hand: {', '.join(missing)}")
    cls = []
    for row in ref.itertuples():
        category, weapon_class = OVERRIDES.get(row.model, (row.category, None))
        if weapon_class is None:
            weapon_class = CLASS_BY_CATEGORY.get(category, "tactical_or_recon_drone")
        cls.append((category, weapon_class))
    ref["category"], ref["weapon_class"] = zip(*cls)
    ref["included"] = ref["weapon_class"].isin(MISSILE | DRONE)
    ref_frame = pd.DataFrame({
        "model": ref["model"], "category": ref["category"], "weapon_class": ref["weapon_class"],
        "included": ref["included"], "national_origin": ref["national_origin"], "type": ref["type"],
        "name": ref["name"], "name_nato": ref["name_NATO"],
        "in_upstream_reference": ref["in_upstream_reference"].astype(bool),
    }).sort_values("model").reset_index(drop=True)
    log.kept("strike_weapon_models", len(ref_frame), f"{int(ref_frame.included.sum())} counted as long-range")

    starts = src["time_start"].map(_split)
    ends = src["time_end"].map(_split)
    rows = pd.DataFrame({
        "wave_start": [s[0] for s in starts], "wave_start_time": [s[1] for s in starts],
        "wave_end": [e[0] for e in ends], "wave_end_time": [e[1] for e in ends],
        "model": src["model"],
        "launched": pd.to_numeric(src["launched"]).astype("Int64"),
        "shot_down": pd.to_numeric(src["destroyed"]).astype("Int64"),
        "not_reaching_target": pd.to_numeric(src["not_reach_goal"]).astype("Int64"),
        "source_url": src["source"].map(_source_url),
    })
    rows["wave_id"] = [
        f"{s}{'T' + st if st else ''}/{e}{'T' + et if et else ''}"
        for s, st, e, et in zip(rows.wave_start, rows.wave_start_time, rows.wave_end, rows.wave_end_time)]
    rows = rows.merge(ref_frame[["model", "weapon_class", "included"]], on="model", how="left")
    dropped = rows[~rows["included"]]
    for weapon_class, count in dropped["weapon_class"].value_counts().sort_index().items():
        log.dropped(rel(path), int(count), f"weapon class {weapon_class} (not a long-range strike weapon)")
    rows = rows[rows["included"]].drop(columns="included")
    rows = rows.sort_values(["wave_start", "wave_id", "model", "launched", "shot_down", "source_url"],
                            kind="stable").reset_index(drop=True)
    # A few windows report the same model twice (two launch areas): number them.
    rows["report"] = rows.groupby(["wave_id", "model"]).cumcount() + 1
    rows["wave_start"] = pd.to_datetime(rows["wave_start"])
    rows["wave_end"] = pd.to_datetime(rows["wave_end"])
    log.kept("strikes_by_model", len(rows))

    rows["group"] = rows["weapon_class"].map(lambda c: "missiles" if c in MISSILE else "drones")
    waves = _aggregate(rows, ["wave_id", "wave_start", "wave_start_time", "wave_end", "wave_end_time"])
    waves["models"] = rows.groupby("wave_id")["model"].agg(lambda s: "; ".join(sorted(set(s)))).reindex(
        waves["wave_id"]).to_numpy()
    waves = waves.sort_values(["wave_start", "wave_id"]).reset_index(drop=True)
    log.kept("strikes_waves", len(waves), "one row per reported attack window")

    rows["week_start"] = rows["wave_start"] - pd.to_timedelta(rows["wave_start"].dt.day_of_week, unit="D")
    weekly = _aggregate(rows, ["week_start"])
    windows = rows.groupby("week_start")["wave_id"].nunique().rename("attack_windows")
    weekly = weekly.merge(windows, on="week_start")
    all_weeks = pd.DataFrame({"week_start": pd.date_range(weekly.week_start.min(), weekly.week_start.max(),
                                                          freq="7D")})
    weekly = all_weeks.merge(weekly, on="week_start", how="left", indicator=True)
    quiet = weekly.pop("_merge") == "left_only"
    for col in weekly.columns[1:]:
        weekly[col] = weekly[col].astype("Int64").mask(quiet, 0)
    log.kept("strikes_weekly", len(weekly), "weeks with no long-range attack reported are zeros")

    for frame in (waves, weekly):
        frame["source_id"] = "missile_attacks_ua"
    rows = rows.drop(columns="group")
    return [_models_table(ref_frame), _detail_table(rows), _waves_table(waves), _weekly_table(weekly)]


def _aggregate(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = rows.groupby(keys + ["group"])[["launched", "shot_down"]].sum(min_count=1).unstack("group")
    out.columns = [f"{group}_{measure}" for measure, group in out.columns]
    for col in ("missiles_launched", "missiles_shot_down", "drones_launched", "drones_shot_down"):
        if col not in out:
            out[col] = pd.NA
    # A window with no missile (or no drone) row had none: 0, not unknown.
    has = rows.groupby(keys)["group"].agg(set)
    out = out.reset_index()
    flags = has.reindex(pd.MultiIndex.from_frame(out[keys]) if len(keys) > 1 else out[keys[0]]).to_numpy()
    for group in ("missiles", "drones"):
        present = [group in f for f in flags]
        for measure in ("launched", "shot_down"):
            col = f"{group}_{measure}"
            out[col] = out[col].astype("Int64").mask(~pd.Series(present, index=out.index), 0)
    return out


def _count(name, en, fr, den, dfr, required=True):
    return field(name, "integer", (en, fr), (den, dfr), unit="count", required=required, minimum=0)


def _wave_fields() -> list[dict]:
    return [
        field("wave_id", "string", ("Attack window", "Fenêtre d'attaque"),
              ("Reported attack window as an ISO 8601 interval (start/end, local Kyiv time; date only "
               "where the report gives no time).",
               "Fenêtre d'attaque rapportée, en intervalle ISO 8601 (début/fin, heure de Kyiv ; date seule "
               "quand le rapport ne donne pas d'heure)."), required=True),
        field("wave_start", "date", ("Start date", "Date de début"), ("Date the window starts.",
              "Date de début de la fenêtre."), required=True),
        field("wave_start_time", "string", ("Start time", "Heure de début"),
              ("Local start time HH:MM; empty when not reported.", "Heure locale de début HH:MM ; vide si "
               "non rapportée."), pattern=r"[0-2][0-9]:[0-5][0-9]"),
        field("wave_end", "date", ("End date", "Date de fin"), ("Date the window ends.",
              "Date de fin de la fenêtre."), required=True),
        field("wave_end_time", "string", ("End time", "Heure de fin"),
              ("Local end time HH:MM; empty when not reported.", "Heure locale de fin HH:MM ; vide si "
               "non rapportée."), pattern=r"[0-2][0-9]:[0-5][0-9]"),
    ]


def _group_counts(required=False) -> list[dict]:
    return [
        _count("missiles_launched", "Missiles launched", "Missiles lancés",
               "Cruise, ballistic and S-300/S-400 missiles launched at Ukraine.",
               "Missiles de croisière, balistiques et S-300/S-400 tirés sur l'Ukraine.", required),
        _count("missiles_shot_down", "Missiles shot down", "Missiles abattus",
               "Missiles reported destroyed by air defence.", "Missiles déclarés détruits par la "
               "défense aérienne.", required),
        _count("drones_launched", "Shahed-type drones launched", "Drones de type Shahed lancés",
               "Shahed-136/131-type attack drones launched.", "Drones d'attaque de type Shahed-136/131 lancés.",
               required),
        _count("drones_shot_down", "Shahed-type drones shot down", "Drones de type Shahed abattus",
               "Shahed-type drones reported destroyed by air defence.", "Drones de type Shahed déclarés "
               "détruits par la défense aérienne.", required),
    ]


SHOT_RULES = [{"rule": "less_or_equal", "field": "missiles_shot_down", "other": "missiles_launched"},
              {"rule": "less_or_equal", "field": "drones_shot_down", "other": "drones_launched"}]


def _models_table(frame) -> Table:
    classes = sorted(MISSILE | DRONE | EXCLUDED)
    resource = {
        "name": "strike_weapon_models",
        **bi("Weapon models in the strike reports and how this site classes them",
             "Modèles d'armes des rapports de frappes et leur classement sur ce site", "title"),
        **bi("The missile dataset's model reference table, completed for the models it lacks, with the class "
             "this site uses and whether the model counts as a long-range strike weapon.",
             "La table de référence des modèles du jeu de données sur les missiles, complétée pour les "
             "modèles manquants, avec la classe retenue par ce site et l'inclusion ou non parmi les armes "
             "de frappe à longue portée.", "description"),
        **COMMON,
        "schema": {"fields": [
            field("model", "string", ("Model", "Modèle"), ("Weapon model or model group as reported.",
                  "Modèle ou groupe de modèles tel que rapporté."), required=True, unique=True),
            text_field("category", "Upstream category", "Catégorie d'origine", "Category from the reference table "
                 "(ours where it had none).", "Catégorie de la table de référence (la nôtre à défaut)."),
            field("weapon_class", "string", ("Class", "Classe"), ("This site's class.", "Classe retenue par "
                  "ce site."), required=True, enum=classes),
            field("included", "boolean", ("Counted", "Compté"), ("True when counted in strikes_waves.",
                  "Vrai si compté dans strikes_waves."), required=True),
            text_field("national_origin", "Origin", "Origine", "Country of origin.", "Pays d'origine."),
            text_field("type", "Type", "Type", "Type as given upstream.", "Type selon la source."),
            text_field("name", "Name", "Nom", "Common name.", "Nom usuel."),
            text_field("name_nato", "NATO name", "Nom OTAN", "NATO reporting name.", "Nom de code OTAN."),
            field("in_upstream_reference", "boolean", ("In upstream table", "Dans la table d'origine"),
                  ("False for models this site classified by hand.", "Faux pour les modèles classés à la main "
                   "par ce site."), required=True),
        ], "primaryKey": ["model"]},
    }
    return Table("strike_weapon_models", frame, resource)


def _detail_table(frame) -> Table:
    resource = {
        "name": "strikes_by_model",
        **bi("Missiles and Shahed-type drones per attack window and model",
             "Missiles et drones de type Shahed par fenêtre d'attaque et par modèle", "title"),
        **bi("One row per weapon model within a reported attack window, with the Air Force or General Staff "
             "post it comes from. The detail behind strikes_waves.",
             "Une ligne par modèle d'arme dans une fenêtre d'attaque rapportée, avec la publication de "
             "l'armée de l'air ou de l'état-major d'où elle vient. Le détail de strikes_waves.",
             "description"),
        **COMMON,
        "rules": [{"rule": "less_or_equal", "field": "shot_down", "other": "launched"}],
        "schema": {"fields": [
            *_wave_fields(),
            field("model", "string", ("Model", "Modèle"), ("Weapon model, see strike_weapon_models.",
                  "Modèle d'arme, voir strike_weapon_models."), required=True),
            field("weapon_class", "string", ("Class", "Classe"), ("This site's class.",
                  "Classe retenue par ce site."), required=True, enum=sorted(MISSILE | DRONE)),
            _count("launched", "Launched", "Lancés", "Number launched (or detected).",
                   "Nombre lancé (ou détecté).", False),
            _count("shot_down", "Shot down", "Abattus", "Number reported destroyed by air defence.",
                   "Nombre déclaré détruit par la défense aérienne.", False),
            _count("not_reaching_target", "Did not reach target", "N'ont pas atteint la cible",
                   "Lost or suppressed without being shot down (reported from 2023).",
                   "Perdus ou neutralisés sans être abattus (rapporté à partir de 2023).", False),
            field("report", "integer", ("Report number", "Numéro de rapport"),
                  ("1, or 2+ when a window reports the same model more than once.",
                   "1, ou 2 et plus quand une fenêtre rapporte le même modèle plusieurs fois."),
                  required=True, minimum=1),
            source_url_field(),
        ], "primaryKey": ["wave_id", "model", "report"],
            "foreignKeys": [
                {"fields": ["model"], "reference": {"resource": "strike_weapon_models", "fields": ["model"]}},
                {"fields": ["wave_id"], "reference": {"resource": "strikes_waves", "fields": ["wave_id"]}}]},
    }
    cols = [f["name"] for f in resource["schema"]["fields"]]
    return Table("strikes_by_model", frame[cols], resource)


def _waves_table(frame) -> Table:
    resource = {
        "name": "strikes_waves",
        **bi("Long-range strikes on Ukraine per reported attack window, since Sep 2022",
             "Frappes à longue portée sur l'Ukraine par fenêtre d'attaque rapportée, depuis sept. 2022",
             "title"),
        **bi("Missiles and Shahed-type drones launched at Ukraine and shot down, per attack window reported by "
             "Ukraine's Air Force, from the \"Massive Missile Attacks on Ukraine\" dataset joined to its model "
             "table. Tactical and reconnaissance drones are excluded.",
             "Missiles et drones de type Shahed lancés sur l'Ukraine et abattus, par fenêtre d'attaque "
             "rapportée par l'armée de l'air ukrainienne, d'après le jeu de données « Massive Missile Attacks "
             "on Ukraine » joint à sa table des modèles. Les drones tactiques et de reconnaissance sont exclus.",
             "description"),
        **COMMON,
        "rules": SHOT_RULES,
        "schema": {"fields": [
            *_wave_fields(), *_group_counts(),
            field("models", "string", ("Models", "Modèles"), ("Models counted in this window.",
                  "Modèles comptés dans cette fenêtre."), required=True),
            source_id_field(),
        ], "primaryKey": ["wave_id"], "foreignKeys": [source_fk()]},
    }
    return Table("strikes_waves", frame, resource)


def _weekly_table(frame) -> Table:
    resource = {
        "name": "strikes_weekly",
        **bi("Long-range strikes on Ukraine per week, since Sep 2022",
             "Frappes à longue portée sur l'Ukraine par semaine, depuis sept. 2022", "title"),
        **bi("Weekly sums of strikes_waves: missiles and Shahed-type drones launched and shot down, by the "
             "week (Monday to Sunday) in which the attack window started.",
             "Sommes hebdomadaires de strikes_waves : missiles et drones de type Shahed lancés et abattus, "
             "selon la semaine (lundi à dimanche) où la fenêtre d'attaque a commencé.", "description"),
        **COMMON,
        # The first attack (28 Sep 2022) falls in the ISO week starting Monday 26 Sep.
        "temporal": {"start": "2022-09-26", "end": "2026-03-01"},
        "rules": SHOT_RULES,
        "schema": {"fields": [
            field("week_start", "date", ("Week (Monday)", "Semaine (lundi)"),
                  ("Monday of the ISO week.", "Lundi de la semaine ISO."), required=True),
            *_group_counts(),
            _count("attack_windows", "Attack windows", "Fenêtres d'attaque",
                   "Reported attack windows with at least one counted weapon.",
                   "Fenêtres d'attaque rapportées avec au moins une arme comptée."),
            source_id_field(),
        ], "primaryKey": ["week_start"], "foreignKeys": [source_fk()]},
    }
    return Table("strikes_weekly", frame, resource)
