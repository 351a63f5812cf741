"""Settings as data: every plugin's family is one table of Setting(name, default, help),
checked one way (an unknown key fails naming the file, the key, the nearest name and the
fix) and documented by a table generated from it."""

from __future__ import annotations

import pytest

import corrections
import datadesk
import discovery
import editorial
import search
from datadesk import DeskError, Setting, Settings, SettingsError
from datadesk.settings import BEGIN, END, readme_with_table
from tools import settings_doc

FAMILIES = settings_doc.families()


def test_every_plugin_with_settings_has_a_family():
    assert [f.plugin for f in FAMILIES] == ["datadesk", "editorial", "discovery", "search", "corrections"]
    assert [f.prefix for f in FAMILIES] == ["DATADESK_", "EDITORIAL_", "DISCOVERY_", "SEARCH_", "CORRECTIONS_"]


@pytest.mark.parametrize("family", FAMILIES, ids=[f.plugin for f in FAMILIES])
def test_each_readme_table_is_the_generated_one(family):
    from conftest import ROOT

    text = (ROOT / family.readme).read_text(encoding="utf-8")
    assert BEGIN in text and END in text, f"{family.readme} has no generated settings table"
    assert readme_with_table(text, family) == text, (
        f"{family.readme}: its settings table differs from the table in the code; run `invoke settings-doc`")
    for name in family.names:
        assert f"| `{name}` |" in text


def test_the_project_readme_lists_every_family_as_the_code_says():
    from conftest import ROOT

    assert settings_doc.stale(ROOT) == [], "run `invoke settings-doc`"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for family in FAMILIES:
        for name in family.names:
            assert f"| `{name}` |" in text, name


def test_a_table_out_of_date_is_caught():
    family = Settings("demo", "DEMO_", [Setting("DEMO_A", 1, "One.")], "README.md")
    text = f"# demo\n\n{BEGIN}\n| setting | default | what it does |\n{END}\n"
    assert readme_with_table(text, family) != text
    assert readme_with_table(readme_with_table(text, family), family) == readme_with_table(text, family)
    with pytest.raises(DeskError, match="no generated settings table"):
        readme_with_table("# demo\n", family)


# Each family refuses a typo of one of its own names, naming the nearest one.
TYPOS = [
    (datadesk.DATADESK, "DATADESK_CHARTS_WIDHT", "DATADESK_CHARTS_WIDTH"),
    (editorial.SETTINGS, "EDITORIAL_CHEK", "EDITORIAL_CHECK"),
    (discovery.SETTINGS, "DISCOVERY_SITEMAPS", "DISCOVERY_SITEMAP"),
    (search.SETTINGS, "SEARCH_INDEX_DIRS", "SEARCH_INDEX_DIR"),
    (corrections.SETTINGS, "CORRECTIONS_FILES", "CORRECTIONS_FILE"),
]


@pytest.mark.parametrize("family, typo, meant", TYPOS, ids=[t[1] for t in TYPOS])
def test_an_unknown_key_names_the_file_the_key_the_nearest_name_and_the_fix(family, typo, meant):
    with pytest.raises(SettingsError) as failure:
        family.values({typo: "x", "DIRECT_TEMPLATES": ["index", "search"]})
    error = failure.value
    assert isinstance(error, DeskError)
    assert error.file == "pelicanconf.py"
    assert str(error).startswith(f"pelicanconf.py: unknown setting {typo}; did you mean {meant}?; "
                                 f"the {family.plugin} plugin knows {family.names[0]}")
    assert str(error).endswith(f"Fix the name, or remove it (see {family.readme}).")


def test_a_search_typo_fails_but_pelicans_own_search_page_settings_pass():
    page = {"DIRECT_TEMPLATES": ["index", "search"], "SEARCH_URL": "search/",
            "SEARCH_SAVE_AS": "search/index.html"}
    assert search.SETTINGS.values(page) == {"SEARCH_INDEX_ENABLED": True, "SEARCH_INDEX_DIR": "pagefind",
                                            "SEARCH_INDEX_PART_PAGES": 100}
    with pytest.raises(SettingsError, match="unknown setting SEARCH_FOO; the search plugin knows"):
        search.SETTINGS.values({**page, "SEARCH_FOO": 1})


def test_a_value_of_the_wrong_type_says_what_was_expected():
    with pytest.raises(SettingsError, match=r"^pelicanconf.py: DATADESK_PREVIEW_ROWS = '10'; expected a "
                                            r"whole number like 10\. Fix the value"):
        datadesk.DATADESK.values({"DATADESK_PREVIEW_ROWS": "10"})
    with pytest.raises(SettingsError, match="DATADESK_CHARTS_WORKERS = True; expected a whole number"):
        datadesk.DATADESK.values({"DATADESK_CHARTS_WORKERS": True})
    # a number setting takes a whole number too
    assert datadesk.DATADESK.values({"DATADESK_CHARTS_MIN_DELTA_E": 12})["DATADESK_CHARTS_MIN_DELTA_E"] == 12


def test_a_former_name_says_its_new_name():
    for old, new in [("CATALOG_DATA_DIR", "DATADESK_DATA_DIR"), ("CHARTS_MAX_ROWS", "DATADESK_CHARTS_MAX_ROWS"),
                     ("INLINE_VALUES_UNITS", "DATADESK_UNITS")]:
        with pytest.raises(SettingsError, match=f"^pelicanconf.py: {old} was renamed {new}. Rename it {new}"):
            datadesk.DATADESK.values({old: "x"})


def test_defaults_are_filled_in_and_the_site_settings_pass():
    from pelican.settings import read_settings
    from conftest import ROOT

    site = read_settings(str(ROOT / "pelicanconf.py"))
    for family in FAMILIES:
        values = family.values(site)
        assert set(values) == set(family.names)
    assert datadesk.DATADESK.values({})["DATADESK_CHARTS_WIDTH"] == 680


def test_values_are_checked_again_whenever_the_settings_change():
    settings = {"DATADESK_PREVIEW_ROWS": 10}
    first = datadesk.DATADESK.values(settings)
    first["DATADESK_PREVIEW_ROWS"] = 99  # the caller's copy, not the kept answer
    assert datadesk.DATADESK.values(settings)["DATADESK_PREVIEW_ROWS"] == 10
    settings["DATADESK_PREVIEW_ROWS"] = "10"  # a value changed after a check
    with pytest.raises(SettingsError, match="DATADESK_PREVIEW_ROWS = '10'"):
        datadesk.DATADESK.values(settings)
    settings["DATADESK_PREVIEW_ROWS"] = 5
    assert datadesk.DATADESK.values(settings)["DATADESK_PREVIEW_ROWS"] == 5
    settings["DATADESK_PREVIEW_ROWZ"] = 5  # a key added after a check
    with pytest.raises(SettingsError, match="unknown setting DATADESK_PREVIEW_ROWZ"):
        datadesk.DATADESK.values(settings)


@pytest.mark.slow
def test_an_unknown_key_stops_a_real_build(tmp_path):
    """Through Pelican: the check runs at `initialized`, before anything is written."""
    import tasks
    from tools.build import build_in_process

    conf = tmp_path / "typoconf.py"
    conf.write_text("from pelicanconf import *  # noqa\nSEARCH_FOO = 1\nDATADESK_CHARTS_WIDHT = 600\n",
                    encoding="utf-8")
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("previous", encoding="utf-8")
    with pytest.raises(tasks.BuildFailed) as failure:
        build_in_process(settings=str(conf), output=output, content=tasks.ROOT / "content")
    report = str(failure.value)
    assert "pelicanconf.py: unknown setting DATADESK_CHARTS_WIDHT; did you mean DATADESK_CHARTS_WIDTH?" in report
    assert (output / "index.html").read_text() == "previous"
