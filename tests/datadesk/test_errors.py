"""One error base: every mistake an editor can meet is a DeskError, with where (file, line,
column), what and the fix, and reads one way: ``file:line:column: message Fix.``"""

from __future__ import annotations

import pytest

import corrections
import datadesk
import discovery
import search
from datadesk import DeskError, render_error
from datadesk.charts.errors import ChartError
from datadesk.charts.text import TextError
from datadesk.values.formatting import FormatError
from datadesk.values.query import QueryError
from tools.newdataset import DatasetError
from tools.scaffold import ScaffoldError

from conftest import ROOT


EDITORS_ERRORS = [
    datadesk.DataValidationError, datadesk.SettingsError, datadesk.ShortcodeError, datadesk.YamlError,
    datadesk.UnknownDatasetError, datadesk.UnknownColumnError, ChartError, TextError, FormatError,
    QueryError, datadesk.TranslationCatalogError, DatasetError, ScaffoldError, corrections.CorrectionsError,
    discovery.DiscoveryError, search.SearchIndexError,
]


@pytest.mark.parametrize("kind", EDITORS_ERRORS, ids=[k.__name__ for k in EDITORS_ERRORS])
def test_every_error_an_editor_meets_is_a_desk_error(kind):
    assert issubclass(kind, DeskError)


def test_the_shape_of_an_error():
    error = DeskError('units_delivered is "n/a"; expected an integer >= 0.', file="data/aid.csv", line=14,
                      column=5, fix="Fix the cell or leave it empty.")
    assert str(error) == ('data/aid.csv:14:5: units_delivered is "n/a"; expected an integer >= 0. '
                          "Fix the cell or leave it empty.")
    assert render_error(error) == str(error)
    assert error.as_dict() == {"kind": "DeskError", "file": "data/aid.csv", "line": 14, "column": 5,
                               "message": 'units_delivered is "n/a"; expected an integer >= 0.',
                               "fix": "Fix the cell or leave it empty.", "text": str(error)}
    assert str(DeskError("no place known.", fix="Do this.")) == "no place known. Do this."
    assert str(DeskError("whole file.", file="content/corrections.yaml")) == "content/corrections.yaml: whole file."
    # a column without its line points nowhere: only the file is named
    assert str(DeskError("x.", file="a.csv", column=3)) == "a.csv: x."


def test_an_error_that_is_not_an_editors_says_its_kind():
    assert render_error(KeyError("x")) == "KeyError: 'x'"


def test_a_yaml_error_keeps_its_parts_and_its_line():
    error = datadesk.YamlError("content/charts/x.yaml:4", "tags are not allowed.", "Remove the !!python tag.")
    assert (error.file, error.line, error.fix) == ("content/charts/x.yaml", 4, "Remove the !!python tag.")
    assert str(error) == "content/charts/x.yaml:4: tags are not allowed. Remove the !!python tag."
    assert error.where == "content/charts/x.yaml:4" and error.what == "tags are not allowed"


def test_a_chart_error_keeps_its_fix_for_the_article():
    error = ChartError("strikes", "it selects 6 rows", "Filter them.", where="content/charts/strikes.yaml:3")
    assert str(error) == 'content/charts/strikes.yaml:3: chart "strikes": it selects 6 rows. Filter them.'
    assert error.for_article() == 'chart "strikes" (content/charts/strikes.yaml:3): it selects 6 rows. Filter them.'
    assert (error.file, error.line) == ("content/charts/strikes.yaml", 3)


def test_an_unknown_dataset_is_the_desks_error_with_the_known_datasets():
    catalog = datadesk.get_catalog({"DATADESK_DATA_DIR": str(ROOT / "tests" / "fixtures" / "editor" / "data")})
    with pytest.raises(datadesk.UnknownDatasetError) as failure:
        catalog.frame("wave")
    text = str(failure.value)
    assert text.startswith('unknown dataset "wave"; the datasets are: ')
    assert all(name in text for name in catalog.names)
    assert "`invoke new-dataset data/wave.csv`" in text
    assert isinstance(failure.value, KeyError)  # code that looks names up still catches it


def test_a_desk_error_raised_in_a_shortcode_gets_the_articles_file_and_line(tmp_path):
    """A handler that asks the catalogue for a dataset it does not have: the editor reads
    the article's file:line, then the list of datasets."""
    from markdown import Markdown

    from datadesk import ShortcodeError, desk_of
    from datadesk.shortcodes import ShortcodeExtension

    data = ROOT / "tests" / "fixtures" / "editor" / "data"
    settings = {"PATH": str(tmp_path / "content"), "DATADESK_DATA_DIR": str(data), "DEFAULT_LANG": "fr"}
    desk_of(settings).register_handler(
        "frame_rows", lambda args, ctx: str(len(ctx.desk.catalog(ctx.settings).frame(args.strip()))))
    article = tmp_path / "content" / "articles" / "x.fr.md"
    md = Markdown(extensions=[ShortcodeExtension(str(article), settings)])
    assert "<p>" in md.convert("Title: x\n\n{{ frame_rows waves }} rows.\n")
    with pytest.raises(ShortcodeError) as failure:
        Markdown(extensions=[ShortcodeExtension(str(article), settings)]).convert(
            "Title: x\n\nOne line.\n{{ frame_rows wave }} rows.\n")
    assert str(failure.value).startswith('content/articles/x.fr.md:4: unknown dataset "wave"; the datasets are: ')
