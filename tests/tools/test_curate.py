"""Curation (data/curate/, `invoke curate`): deterministic, what it writes is
what is committed and validates, it says what it read, kept and dropped, and
it refuses raw data it cannot vouch for."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "data"))
sys.path.insert(0, str(ROOT / "plugins"))

from datadesk import datasets as catalog  # noqa: E402
from curate import run  # noqa: E402

RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="module")
def curated(tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("curated") / "data"
    log: list[str] = []
    run(RAW, out, echo=log.append)
    return out, log


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_curation_is_deterministic(curated, tmp_path):
    first, _ = curated
    second = tmp_path / "again"
    run(RAW, second, echo=lambda _line: None)
    assert files(first) == files(second)


def test_committed_files_are_what_curation_writes(curated):
    """A change to raw data or to a curation script must come with `invoke curate`."""
    out, _ = curated
    committed = {p.name: p.read_bytes() for p in (ROOT / "data").iterdir()
                 if p.is_file() and p.suffix in (".csv", ".json")}
    stale = sorted(name for name, body in files(out).items() if committed.get(name) != body)
    assert not stale, f"run `invoke curate` and commit: {stale}"
    # Anything else in data/ is a dataset an editor added (its CSV and its description).
    added = {Path(n).name.split(".")[0] for n in set(committed) - set(files(out))}
    for name in added:
        assert {f"{name}.csv", f"{name}.resource.json"} <= set(committed), name
    assert "datapackage.json" not in committed, "the build assembles it; nobody commits it"


def test_curation_keeps_the_datasets_it_did_not_make(curated, tmp_path):
    """An editor's dataset (invoke new-dataset) survives invoke curate, untouched."""
    out = tmp_path / "data"
    shutil.copytree(curated[0], out)
    mine = {"points.csv": b"date,points\n2022-12-02,4\n", "points.resource.json": b'{"name": "points"}\n'}
    for name, body in mine.items():
        (out / name).write_bytes(body)
    log: list[str] = []
    run(RAW, out, echo=log.append)
    assert {name: (out / name).read_bytes() for name in mine} == mine
    assert "kept     1 dataset(s) curation does not make, untouched: points" in log


def test_curation_refuses_to_overwrite_an_editors_dataset_of_the_same_name(curated, tmp_path):
    out = tmp_path / "data"
    shutil.copytree(curated[0], out)
    base = out / "datapackage.base.json"
    base.write_text(base.read_text(encoding="utf-8").replace('    "sources"\n', '    "strikes_waves"\n')
                    .replace('    "strikes_waves",\n', ""), encoding="utf-8")
    before = (out / "sources.resource.json").read_bytes()
    with pytest.raises(ValueError, match=r"data/sources.resource.json was not made by invoke curate"):
        run(RAW, out, echo=lambda _line: None)
    assert (out / "sources.resource.json").read_bytes() == before


def test_curated_output_validates(curated):
    out, _ = curated
    assert catalog.get_catalog(out).names[-1] == "sources"


def test_curation_says_what_it_read_kept_and_dropped(curated):
    _, log = curated
    text = "\n".join(log)
    assert "read     data/raw/missile_attacks_ua/missile_attacks_daily.csv: 3468 rows" in text
    assert ("dropped  data/raw/missile_attacks_ua/missile_attacks_daily.csv: 1062 rows, weapon class "
            "tactical_or_recon_drone (not a long-range strike weapon)") in text
    assert ("dropped  data/raw/kiel_ust_release7_2022/ust_r7_military_inkind_committed_vs_delivered.csv: "
            "1 rows, the Total row (sum of the others)") in text
    assert "kept     data/chernivtsi_outages_daily.csv: 1656 rows (92 days x 18 groups)" in text
    every_table = {line.split()[1] for line in log if line.startswith("kept")}
    assert len(every_table) == 15


def test_figures_match_the_sources(curated):
    """Numbers a reader can check against FACTS.md and the upstream provenance notes."""
    out, _ = curated
    inkind = pd.read_csv(out / "kiel_r7_inkind_aid.csv")
    assert round(inkind.committed_eur_bn.sum(), 2) == 23.34 and round(inkind.delivered_eur_bn.sum(), 2) == 8.94
    us = inkind[inkind.donor == "United States"].iloc[0]
    assert (round(us.committed_eur_bn, 2), round(us.delivered_eur_bn, 2)) == (15.21, 2.55)
    monthly = pd.read_csv(out / "kiel_allocations_monthly.csv")
    oct22 = monthly[monthly.month == "2022-10-01"].iloc[0]
    assert (oct22.total_eur_bn, oct22.military_eur_bn) == (5.634142, 2.674275)
    assert len(monthly) == 52 and monthly.month.iloc[-1] == "2026-04-01"
    waves = pd.read_csv(out / "strikes_waves.csv")
    nov15 = waves[waves.wave_start == "2022-11-15"].iloc[0]
    # FACTS B5: 96 cruise missiles launched, 75 shot down; the window also had 2 X-59 and 10 Shaheds
    assert (nov15.missiles_launched, nov15.missiles_shot_down) == (98, 77)
    assert (nov15.drones_launched, nov15.drones_shot_down) == (10, 10)
    detail = pd.read_csv(out / "strikes_by_model.csv")
    cruise = detail[(detail.wave_start == "2022-11-15") & (detail.model == "X-101/X-555 and Kalibr")].iloc[0]
    assert (cruise.launched, cruise.shot_down) == (96, 75)
    assert not waves.models.str.contains("Orlan|ZALA|Supercam|Lancet").any()
    daily = pd.read_csv(out / "chernivtsi_outages_daily.csv")
    assert round(daily[daily.date == "2022-12-22"].hours_off.mean(), 2) == 17.72
    events = pd.read_csv(out / "air_defence_events.csv")
    nasams = events[(events.system == "NASAMS") & (events.event_type == "delivered")]
    assert nasams.date.tolist() == ["2022-11-07", "2022-11-08"]
    energy = pd.read_csv(out / "energy_damage_indicators.csv")
    share = energy[energy.indicator == "energy_infrastructure_damaged_share"]
    assert len(share) == 2 and set(share.source_url) == {  # two Kyiv Independent counts, both kept
        "https://kyivindependent.com/news-feed/reznikov-nasams-and-aspide-air-defense-systems-arrive-in-ukraine",
        "https://kyivindependent.com/news-feed/zelensky-more-than-4-5-million-people-have-no-access-to-electricity"
        "-due-to-russian-attacks"}


def copy_raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    return raw


def test_an_excerpt_not_in_the_notes_stops_curation(tmp_path):
    raw = copy_raw(tmp_path)
    path = raw / "facts" / "energy_damage_indicators.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Almost a half of our energy system",
                                                             "Almost all of our energy system"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"data/raw/facts/energy_damage_indicators.csv: excerpt\(s\) not found "
                                         r"word for word in FACTS.md: 'Almost all of our energy system"):
        run(raw, tmp_path / "out", echo=lambda _line: None)


def test_an_unknown_weapon_model_stops_curation(tmp_path):
    raw = copy_raw(tmp_path)
    path = raw / "missile_attacks_ua" / "missile_attacks_daily.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",Shahed-136/131,", ",Geran-3,", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"models with no reference entry and no override: \['Geran-3'\]"):
        run(raw, tmp_path / "out", echo=lambda _line: None)


def test_a_new_kiel_release_is_not_mislabelled(tmp_path):
    raw = copy_raw(tmp_path)
    (raw / "kiel_ust_website" / "release_info.csv").write_text(
        '"release","period","date","label"\n"30","07/2026","2026-11-04","Release 30"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="expected Release 29 \\(04/2026\\)"):
        run(raw, tmp_path / "out", echo=lambda _line: None)


def test_every_raw_folder_has_provenance_and_is_used():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "data" / "curate").glob("*.py"))
    for folder in sorted(p for p in RAW.iterdir() if p.is_dir()):
        provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
        for word in ("**Origin:**", "**Licence:**", "**Used by:**"):
            assert word in provenance, (folder.name, word)
        for data_file in folder.glob("*.csv"):
            assert data_file.name in code, f"{data_file} is not used by curation: remove it"
    assert not list(RAW.rglob("*.xlsx"))
    committed = [p for p in ROOT.joinpath("data").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert not [p for p in committed if "../" + "shared" in p.read_text(encoding="utf-8", errors="ignore")]
