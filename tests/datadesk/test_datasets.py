"""The catalog plugin: curated data validates, every bad input gets its own
message at the right line and column and stops the build without touching
output/, and dataset pages render in both languages with payloads escaped."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "data"
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(FIXTURE))

from datadesk import datasets as catalog  # noqa: E402
import tasks  # noqa: E402
from cases import CASES  # noqa: E402
from datadesk.datasets.package import assemble  # noqa: E402
from datadesk.desk import DeskCache  # noqa: E402

DATASETS = [  # fixed names other parts of the site code against
    "kiel_r7_heavy_weapons", "kiel_r7_inkind_aid", "kiel_allocations_monthly", "kiel_allocations_donor_month",
    "kiel_weapons_cumulative", "air_defence_events", "strikes_waves", "strikes_weekly",
    "energy_damage_indicators", "chernivtsi_outages_daily", "chernivtsi_outages_hourly",
]


def project(tmp_path: Path) -> Path:
    """A copy of the fixture project (content/ and data/) that a test may break."""
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("cases.py", "__pycache__"))
    return target


def problems_of(data_dir: Path) -> list[str]:
    try:
        catalog.get_catalog(data_dir)
    except catalog.DataValidationError as exc:
        return [str(p) for p in exc.problems]
    return []


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- the curated data -------------------------------------------------------------------

def test_every_curated_file_passes_validation():
    cat = catalog.get_catalog(ROOT / "data")
    assert set(DATASETS) <= set(cat.names)
    for name in cat.names:
        assert len(cat.frame(name)) > 0, name


def test_tables_load_with_schema_types():
    cat = catalog.get_catalog(ROOT / "data")
    waves = cat.frame("strikes_waves")
    assert str(waves["wave_start"].dtype).startswith("datetime64")
    assert str(waves["missiles_launched"].dtype) == "Int64"
    assert str(cat.frame("kiel_r7_inkind_aid")["committed_eur_bn"].dtype) == "float64"
    assert str(cat.frame("chernivtsi_outages_daily")["schedule_date_uncertain"].dtype) == "boolean"
    # the 10 Oct 2022 wave as the Air Force reported it (FACTS B1)
    oct10 = waves[waves["wave_id"] == "2022-10-10T06:00/2022-10-10T14:00"].iloc[0]
    assert (oct10["missiles_launched"], oct10["missiles_shot_down"]) == (84, 43)
    assert cat.dataset_url("strikes_waves") == "data/strikes_waves/"
    assert cat.text("strikes_waves", "title", "fr").startswith("Frappes")


def test_every_resource_and_field_is_described_in_both_languages():
    descriptor = assemble(ROOT / "data", "data").descriptor
    for res in descriptor["resources"]:
        for key in ("title_fr", "title_en", "description_fr", "description_en", "as_of"):
            assert res.get(key), (res["name"], key)
        assert res["licenses"][0]["title"], res["name"]
        for field in res["schema"]["fields"]:
            assert field.get("title_fr") and field.get("description_en"), (res["name"], field["name"])
    kiel = {r["name"]: r for r in descriptor["resources"]}["kiel_r7_inkind_aid"]
    assert kiel["licenses"][0]["title"] == "Unclear, attribution requested"


# ---- bad inputs: exact location and wording, and output/ untouched ----------------------

@pytest.mark.parametrize("case_id, mutate, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_exactly(tmp_path, case_id, mutate, expected):
    proj = project(tmp_path)
    mutate(proj / "data")
    assert problems_of(proj / "data") == expected


def broken_together(cases: list) -> list[str] | None:
    """The validator's report with all these cases applied to one copy of the fixture, or
    None when one mutation no longer finds what it changes (another case changed it)."""
    with tempfile.TemporaryDirectory() as folder:
        proj = project(Path(folder))
        try:
            for _case_id, mutate, _expected in cases:
                mutate(proj / "data")
        except (AssertionError, ValueError):
            return None
        return problems_of(proj / "data")


def share_builds() -> list[list]:
    """The cases in as few groups as the promise allows. A case joins a group when the
    validator, given the group's mutations and its own on one copy, reports exactly the lines
    each case expects alone: nothing masked, nothing added. Cases that clash (two file-level
    breaks of one CSV, a line number another case shifts) go to another group."""
    groups: list[list] = []
    for case in CASES:
        for group in groups:
            together = broken_together(group + [case])
            if together is not None and sorted(together) == sorted(
                    line for _id, _mutate, expected in group + [case] for line in expected):
                group.append(case)
                break
        else:
            groups.append([case])
    return groups


class SharedBuilds:
    """One build of the fixture site per group of cases, built when a case first asks."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.groups = share_builds()
        self.results: dict[int, tuple[str, bool]] = {}

    def of(self, case_id: str) -> tuple[list[str], str, bool]:
        """(the ids built together, the build's report, whether output/ stayed as it was)"""
        index = next(i for i, g in enumerate(self.groups) if case_id in [c[0] for c in g])
        group = self.groups[index]
        if index not in self.results:
            root = self.tmp.mktemp(f"build-{index}")
            proj = project(root)
            for _case_id, mutate, _expected in group:
                mutate(proj / "data")
            output = root / "output"
            (output / "data").mkdir(parents=True)
            (output / "index.html").write_text("<p>the previous build</p>", encoding="utf-8")
            (output / "data" / "deliveries.csv").write_text("previous,file\n", encoding="utf-8")
            before = tree_digest(output)
            try:
                tasks.build_site(settings=str(proj / "fixtureconf.py"), output=output,
                                 quiet=True, content=proj / "content")
                report = "(the build passed)"
            except tasks.BuildFailed as failure:
                report = str(failure)
            self.results[index] = (report, tree_digest(output) == before)
        return [c[0] for c in group], *self.results[index]


@pytest.fixture(scope="module")
def shared_builds(tmp_path_factory) -> SharedBuilds:
    return SharedBuilds(tmp_path_factory)


@pytest.mark.slow
@pytest.mark.parametrize("case_id, mutate, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_the_build_and_keeps_output(shared_builds, case_id, mutate, expected):
    """Each case's lines are in the report of the build it shares with the cases the
    validator proves independent of it (see share_builds)."""
    together, report, output_kept = shared_builds.of(case_id)
    where = f"case {case_id}, built together with {', '.join(together)}"
    assert report != "(the build passed)", f"{where}: the build passed"
    assert output_kept, f"{where}: the failed build changed output/"
    missing = [line for line in expected if line not in report]
    assert not missing, f"{where}: the build's report lacks\n" + "\n".join(missing) + \
        f"\n--- the report:\n{report}"
    assert "Traceback" not in report, f"{where}: the report shows a traceback:\n{report}"



def test_all_problems_are_reported_together_and_str_is_the_report(tmp_path):
    proj = project(tmp_path)
    chosen = {c[0]: c for c in CASES}
    expected = []
    for case_id in ("integer-text", "date-dmy", "formula-at"):
        _, mutate, lines = chosen[case_id]
        mutate(proj / "data")
        expected += lines
    with pytest.raises(catalog.DataValidationError) as failure:
        catalog.get_catalog(proj / "data")
    assert str(failure.value).splitlines() == [
        "3 problems in the curated data; the build stopped before writing anything.", *expected]


def test_bom_and_crlf_are_accepted(tmp_path):
    proj = project(tmp_path)
    for name in ("deliveries.csv", "sources.csv"):
        path = proj / "data" / name
        text = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + text)
    assert problems_of(proj / "data") == []
    # and line numbers still count the quoted line break: Spain/Hawk is on line 6
    (proj / "data" / "deliveries.csv").write_bytes(
        (proj / "data" / "deliveries.csv").read_bytes().replace(b"Spain,Hawk,committed", b"Spain,Hawk,pledged"))
    assert problems_of(proj / "data") == [
        'data/deliveries.csv:6:3: event_type: expected one of committed, delivered, found "pledged". Fix the cell.']


def test_negative_number_in_a_numeric_column_is_not_a_formula(tmp_path):
    proj = project(tmp_path)
    path = proj / "data" / "restricted.csv"
    path.write_text("year,value,source_id\n2022,-12.5,fixture\n", encoding="utf-8")
    assert problems_of(proj / "data") == []


def test_validation_is_kept_by_content_until_a_file_changes_even_within_one_clock_tick(tmp_path, monkeypatch):
    proj = project(tmp_path)
    cache = DeskCache()
    calls = []
    real = catalog.catalog.validate
    monkeypatch.setattr(catalog.catalog, "validate", lambda *a: calls.append(a) or real(*a))
    first = catalog.get_catalog(proj / "data", cache=cache)
    assert catalog.get_catalog(proj / "data", cache=cache) is first and len(calls) == 1
    # The same size and the same modification time: only the bytes tell the edit apart.
    path = proj / "data" / "sources.csv"
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b"Fixture Institute", b"Fixture InstitutE", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert catalog.get_catalog(proj / "data", cache=cache) is not first and len(calls) == 2


def test_a_changed_csv_is_validated_again_alone_and_keys_into_it_still_checked(tmp_path):
    proj = project(tmp_path)
    cache = DeskCache()

    def problems_kept() -> tuple[list[str], list[str]]:
        try:
            return [], catalog.get_catalog(proj / "data", cache=cache).validated
        except catalog.DataValidationError as exc:
            return [str(p) for p in exc.problems], validated[-1]

    validated = []
    real = catalog.catalog.validate

    def spy(*args):
        result = real(*args)
        validated.append(result[2])
        return result

    catalog.catalog.validate = spy
    try:
        first = catalog.get_catalog(proj / "data", cache=cache)
        assert sorted(first.validated) == ["data/deliveries.csv", "data/restricted.csv", "data/sources.csv"]
        deliveries = proj / "data" / "deliveries.csv"
        deliveries.write_bytes(deliveries.read_bytes().replace(b"Germany,IRIS-T SLM,committed,2022-06-01,4",
                                                               b"Germany,IRIS-T SLM,committed,2022-06-01,5"))
        second = catalog.get_catalog(proj / "data", cache=cache)
        assert second.validated == ["data/deliveries.csv"]
        assert second.frame("deliveries")["units_committed"].iloc[0] == 5
        # The referenced file loses its only source: the two files that point at it were not
        # read again, yet every row of theirs that now points nowhere is reported, as a full
        # validation reports it.
        sources = proj / "data" / "sources.csv"
        sources.write_text("source_id,publisher,url\nother,Other,https://example.org/o\n", encoding="utf-8")
        problems, again = problems_kept()
        assert again == ["data/sources.csv"]
        cache = DeskCache()  # a fresh process: everything is read again, with the same report
        fresh, again = problems_kept()
        assert fresh == problems
        assert again == ["data/deliveries.csv", "data/sources.csv", "data/restricted.csv"]
    finally:
        catalog.catalog.validate = real
    assert problems and all("source_id: expected a value listed in sources.csv (source_id), "
                            'found "fixture"' in p for p in problems)
    assert {p.split(":")[0] for p in problems} == {"data/deliveries.csv", "data/restricted.csv"}


def test_unknown_setting_is_named():
    from datadesk import SettingsError

    with pytest.raises(SettingsError, match="unknown setting DATADESK_PREVIEW_ROW; did you mean "
                                            "DATADESK_PREVIEW_ROWS?"):
        catalog.get_catalog({"PATH": str(ROOT / "content"), "DATADESK_PREVIEW_ROW": 5})


def test_templates_get_datasets_in_their_language():
    class Generator:  # what Pelican hands to generator_init handlers
        settings = {"DATADESK_DATA_DIR": str(FIXTURE / "data"), "DEFAULT_LANG": "fr"}
        context: dict = {}

    catalog.pages.on_generator_init(Generator)
    datasets = Generator.context["DATASETS"]
    assert list(datasets) == ["deliveries", "sources", "restricted"]
    assert datasets["deliveries"]["title"] == "Livraisons de test"
    assert datasets["deliveries"]["url"] == "data/deliveries/"


def test_every_setting_is_documented():
    readme = (ROOT / "plugins" / "datadesk" / "README.md").read_text(encoding="utf-8")
    for name in ("DATADESK_DATA_DIR", "DATADESK_DATA_OUTPUT_DIR", "DATADESK_PREVIEW_ROWS"):
        assert f"`{name}`" in readme, name


# ---- pages -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    proj = project(tmp_path_factory.mktemp("catalog"))
    return tasks.build_site(settings=str(proj / "fixtureconf.py"), output=proj / "output", quiet=True,
                            content=proj / "content")


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "lxml")


@pytest.mark.parametrize("prefix, lang", [("", "fr"), ("en/", "en")])
def test_dataset_page_shows_what_a_reader_needs(fixture_site, prefix, lang):
    soup = page(fixture_site, f"{prefix}data/deliveries/index.html")
    assert soup.html["lang"] == lang
    text = soup.get_text(" ", strip=True)
    title = {"fr": "Livraisons de test", "en": "Test deliveries"}[lang]
    assert soup.h1.get_text() == title
    assert "Fixture Institute" in text and "Unclear, attribution requested" in text
    assert {"fr": "31 déc. 2022", "en": "Dec 31, 2022"}[lang] in text
    assert {"fr": "Données de test, pas réelles.", "en": "Fixture data, not real."}[lang] in text
    columns = [th.get_text(" ", strip=True) for th in soup.select(".dataset-columns tbody th")]
    assert columns[0].startswith("donor")
    assert "€ billion" in soup.select(".dataset-columns")[0].get_text()
    assert len(soup.select(".dataset-preview tbody tr")) == 5
    used = soup.select(".dataset-used-by a")
    assert [a.get_text() for a in used] == [{"fr": "Récit de test", "en": "Test story"}[lang]]
    quotes = [q.get_text(" ", strip=True) for q in soup.select(".citation blockquote")]
    assert quotes[0].startswith("Fixture Institute (2022). Test tracker. Données préparées et publiées par")
    assert quotes[1].startswith("Fixture Institute (2022). Test tracker. Data prepared and published by Energy Front")
    assert 'pd.read_csv(' in soup.select_one(".snippet").get_text()
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert ld["@type"] == "Dataset" and ld["name"] == title and ld["temporalCoverage"] == "2022-01-01/2022-12-31"


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_payloads_in_cells_are_shown_as_text(fixture_site, prefix):
    html = (fixture_site / prefix / "data" / "deliveries" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    soup = BeautifulSoup(html, "lxml")
    cells = [td.get_text() for td in soup.select(".dataset-preview td")]
    assert '<script>alert("x")</script>' in cells
    assert '"><img src=x onerror=alert(1)>' in cells
    assert not soup.select(".dataset-preview script, .dataset-preview img")
    # the JSON-LD block cannot be closed early by data
    for script in soup.find_all("script"):
        assert "</script" not in (script.string or "")


def test_published_files_are_the_curated_bytes_in_the_main_site_only(fixture_site):
    for name in ("deliveries.csv", "sources.csv"):
        assert (fixture_site / "data" / name).read_bytes() == (FIXTURE / "data" / name).read_bytes()
    # the package is assembled from the datasets' descriptions, exactly as validated
    published = json.loads((fixture_site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert published == assemble(FIXTURE / "data", "data").descriptor
    assert [r["name"] for r in published["resources"]] == ["deliveries", "sources", "restricted"]
    assert not list((fixture_site / "en").rglob("*.csv"))
    soup = page(fixture_site, "en/data/deliveries/index.html")
    link = soup.find("a", string="deliveries.csv")["href"]
    assert (fixture_site / "en" / "data" / "deliveries" / link).resolve() == (fixture_site / "data" / "deliveries.csv")


def test_a_licence_that_forbids_redistribution_links_to_the_publisher(fixture_site):
    assert not (fixture_site / "data" / "restricted.csv").exists()
    soup = page(fixture_site, "data/restricted/index.html")
    assert not soup.select(".dataset-download a[download]")
    assert soup.select_one(".dataset-download a[rel=external]")["href"] == "https://example.org/restricted"
    assert not soup.select(".snippet")


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_catalogue_lists_and_links_every_dataset(fixture_site, prefix):
    soup = page(fixture_site, f"{prefix}data/index.html")
    links = [a["href"] for a in soup.select(".dataset-item h2 a")]
    assert len(links) == 3
    for href in links:
        assert (fixture_site / prefix / "data" / href / "index.html").resolve().exists()


@pytest.mark.slow
def test_real_datasets_render_in_both_languages(tmp_path):
    """Other content, the project's data: pelicanconf.py points the catalog at ROOT/data."""
    proj = tmp_path / "project"
    shutil.copytree(FIXTURE / "content", proj / "content")
    for story in (proj / "content" / "articles").glob("*.md"):
        story.write_text(story.read_text(encoding="utf-8").replace("Datasets: deliveries", "Datasets: strikes_waves"),
                         encoding="utf-8")
    site = tasks.build_site(output=tmp_path / "output", quiet=True, content=proj / "content")
    from datadesk.typography import french

    names = assemble(ROOT / "data", "data").descriptor["resources"]
    for res in names:
        for prefix in ("", "en/"):
            soup = page(site, f"{prefix}data/{res['name']}/index.html")
            lang = "en" if prefix else "fr"
            # French titles are set as French is set (’, narrow no-break spaces): same words.
            title = res[f"title_{lang}"]
            assert soup.h1.get_text() == (french(title) if lang == "fr" else title)
    assert (site / "data" / "strikes_waves.csv").read_bytes() == (ROOT / "data" / "strikes_waves.csv").read_bytes()
    french = page(site, "data/strikes_waves/index.html")
    assert re.search(r"1\s312 lignes", french.get_text(" ", strip=True))  # numbers in French format
    assert [a.get_text() for a in french.select(".dataset-used-by a")] == ["Récit de test"]
