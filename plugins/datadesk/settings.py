"""Settings as data: every setting of a plugin is a ``Setting(name, default, help)`` in one
table, and one function checks a site's settings against it.

The data desk's own table is ``DATADESK`` below (every ``DATADESK_*`` setting). The other
plugins of the site (editorial, discovery, search, corrections) describe theirs with the
same ``Setting`` and ``Settings`` from ``datadesk``'s public API, so every family is
checked one way: an unknown key with the family's prefix (a typo such as ``SEARCH_FOO``)
stops the build naming the file, the key, the nearest known name and the fix; a value of
the wrong type names what was expected. Each plugin's README carries the table that
``Settings.markdown()`` renders (``invoke settings-doc`` rewrites them; a test checks they
agree).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DeskError
from .i18n import LOCALES

CONFIG_FILE = "pelicanconf.py"


_MISSING = object()


class SettingsError(DeskError):
    """A setting in pelicanconf.py is unknown, renamed, or of the wrong type."""


_TYPE_NAMES = {str: "a text", int: "a whole number", float: "a number", bool: "True or False",
               dict: "a dict", list: "a list", tuple: "a tuple"}


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default and a sentence for the README. ``kind`` is the type a
    value must have (by default the default's: ``float`` accepts an ``int``, ``int`` refuses
    ``True``); ``shown`` is how the README writes the default when ``repr`` would mislead."""

    name: str
    default: object
    help: str
    kind: type | tuple | None = None
    shown: str | None = None

    def accepts(self, value) -> bool:
        kind = self.kind or type(self.default)
        if kind is float:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if isinstance(value, bool) and kind is not bool and not (isinstance(kind, tuple) and bool in kind):
            return False
        return isinstance(value, kind)

    def expected(self) -> str:
        kind = self.kind or type(self.default)
        kinds = kind if isinstance(kind, tuple) else (kind,)
        names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
        return f"{names} like {self.default!r}"


@dataclass
class Settings:
    """A plugin's settings family: the prefix its keys share, and every one of them."""

    plugin: str  # as PLUGINS names it
    prefix: str
    table: list[Setting]
    readme: str  # where the table is documented, from the project root
    renamed: dict[str, str] = field(default_factory=dict)  # old name -> new name

    def __post_init__(self):
        wrong = [s.name for s in self.table if not s.name.startswith(self.prefix)]
        if wrong:
            raise ValueError(f"{self.plugin}: {', '.join(wrong)} do not start with {self.prefix}")
        self.by_name = {s.name: s for s in self.table}

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.table]

    @property
    def defaults(self) -> dict:
        return {s.name: s.default for s in self.table}

    def ours(self, key: str, settings: dict) -> bool:
        """Whether ``key`` claims to belong to this family. Pelican's own ``<NAME>_URL`` and
        ``<NAME>_SAVE_AS`` of a direct template (``SEARCH_URL`` for ``search``) are not."""
        if not key.startswith(self.prefix):
            return False
        templates = {str(t).upper() for t in settings.get("DIRECT_TEMPLATES") or ()}
        match = re.fullmatch(r"(.+?)_(URL|SAVE_AS)", key)
        return not (match and match.group(1) in templates)

    def check(self, settings: dict, file: str = CONFIG_FILE) -> None:
        """Raise SettingsError for the first unknown, renamed or mistyped key of the family."""
        for old, new in self.renamed.items():
            if old in settings:
                raise SettingsError(
                    f"{old} was renamed {new}.", file=file,
                    fix=f"Rename it {new} (see {self.readme}).")
        unknown = sorted(k for k in settings if self.ours(k, settings) and k not in self.by_name)
        if unknown:
            key = unknown[0]
            near = difflib.get_close_matches(key, self.names, n=1, cutoff=0.6)
            guess = f"; did you mean {near[0]}?" if near else ""
            raise SettingsError(
                f"unknown setting {key}{guess}; the {self.plugin} plugin knows {', '.join(self.names)}.",
                file=file, fix=f"Fix the name, or remove it (see {self.readme}).")
        for setting in self.table:
            if setting.name in settings and not setting.accepts(settings[setting.name]):
                raise SettingsError(
                    f"{setting.name} = {settings[setting.name]!r}; expected {setting.expected()}.",
                    file=file, fix=f"Fix the value (see {self.readme}).")

    def values(self, settings: dict, file: str = CONFIG_FILE) -> dict:
        """The family's values, defaults filled in, after ``check``.

        Checked once per state of the settings: the handlers ask for them at every shortcode
        (8,000 times a build at 1,000 articles, when checking every key took seconds). The
        answer is kept in the settings dict itself and reused while the keys and every value
        of the family are the same objects."""
        memo_key = f"_checked_{self.prefix.lower()}"
        state = (len(settings), tuple(id(settings.get(name, _MISSING)) for name in self.by_name))
        memo = settings.get(memo_key)
        if memo is not None and memo[0] == state:
            return dict(memo[1])
        self.check(settings, file)
        out = {s.name: settings.get(s.name, s.default) for s in self.table}
        settings[memo_key] = (
            (len(settings) + (memo_key not in settings), state[1]), out)
        return dict(out)

    def fill(self, settings: dict, file: str = CONFIG_FILE) -> dict:
        """``check``, then write the defaults into ``settings`` (Pelican's, at ``initialized``)."""
        values = self.values(settings, file)
        for name, value in values.items():
            settings.setdefault(name, value)
        return values

    def value(self, settings: dict, name: str):
        return settings.get(name, self.by_name[name].default)

    def markdown(self) -> str:
        """The README's table of the family, generated from ``table``."""
        rows = ["| setting | default | what it does |", "| --- | --- | --- |"]
        for s in self.table:
            shown = s.shown or _shown(s.default)
            rows.append(f"| `{s.name}` | `{shown}` | {s.help} |")
        return "\n".join(rows) + "\n"


def _shown(value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (dict, list)):
        import json
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


# Where the generated table sits in a README: between these two lines.
BEGIN = "<!-- settings: generated from the Settings table by `invoke settings-doc`; edit the table, not this -->"
END = "<!-- end of settings -->"


def readme_with_table(text: str, family: Settings) -> str:
    """``text`` (a README) with its generated table replaced by ``family.markdown()``."""
    return replace_block(text, family.markdown(), family.readme)


def replace_block(text: str, block: str, shown_as: str) -> str:
    """``text`` with what stands between the BEGIN and END lines replaced by ``block``."""
    start, stop = text.find(BEGIN), text.find(END)
    if start < 0 or stop < start:
        raise DeskError(f"no generated settings table (the lines {BEGIN!r} ... {END!r}).",
                        file=shown_as, fix="Put the two marker lines where the table goes.")
    return text[:start] + BEGIN + "\n" + block + text[stop:]


def write_readme(family: Settings, root: Path) -> bool:
    """Rewrite the family's README table; True when it changed."""
    path = Path(root) / family.readme
    text = path.read_text(encoding="utf-8")
    new = readme_with_table(text, family)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


README = "plugins/datadesk/README.md"

DATADESK = Settings("datadesk", "DATADESK_", [
    # Datasets
    Setting("DATADESK_DATA_DIR", "data", "Folder of the CSVs and their descriptions. A relative path is "
                                         "taken from the site's folder (the one holding content/), never "
                                         "from the folder the build runs in. pelicanconf.py sets it "
                                         "absolute (`str(ROOT / \"data\")`), like `THEME`, so a build of "
                                         "other content with the project's settings (tests, "
                                         "`build_site(content=...)`) still reads the project's data."),
    Setting("DATADESK_DATA_OUTPUT_DIR", "data", "Where the dataset pages and the published files go in "
                                                "the output (and in URLs)."),
    Setting("DATADESK_PREVIEW_ROWS", 10, "Rows shown in each dataset page's preview table."),
    Setting("DATADESK_PUBLISH_FILES", True, "Copy the CSVs, and write the assembled `datapackage.json`, "
                                            "into the main-language site."),
    Setting("DATADESK_VALIDATE", True, "Validate the datasets at startup; turn off only to debug a template "
                                       "(pages and `DATASETS` need a valid catalogue)."),
    Setting("DATADESK_PREVIOUS_OUTPUT", "", "The previous build's output folder: a file whose new bytes "
                                            "are those of the same path there is hard-linked from it, not "
                                            "written (datadesk/outputs.py). `tools/build.py` sets it to "
                                            "`output/` for the build it stages beside it; empty: every "
                                            "file is written."),
    Setting("DATADESK_SITE_NAMES", {}, "This site's name per language for citations, e.g. "
                                       "`{'fr': ..., 'en': ...}`; by default SITENAME."),
    Setting("DATADESK_FRENCH_NAMES", {}, "Names the data write in English that French spells otherwise, "
                                         "e.g. `{'Chernivtsioblenergo': 'Tchernivtsioblenergo'}`: the French "
                                         "dataset pages' citations use the French spelling (whole names "
                                         "only, never inside an address)."),
    # Charts
    Setting("DATADESK_CHARTS_DIR", "charts", "Folder of chart definitions (`<id>.py` or `<id>.yaml`), "
                                             "relative to PATH (content/)."),
    Setting("DATADESK_CHARTS_CACHE_PATH", ".cache/charts", "Cache of rendered artefacts; relative to the "
                                                           "project root (the folder holding content/)."),
    Setting("DATADESK_CHARTS_OUTPUT_DIR", "charts", "Folder of each language site where the artefacts and "
                                                    "embed pages go (`charts/<id>/`)."),
    Setting("DATADESK_CHARTS_WORKERS", 2, "Worker processes preparing and drawing the charts that miss the "
                                          "stores, validating the datasets that do and drawing the sharing cards "
                                          "that miss theirs, when two or more do (0: one per CPU; 1: all in the "
                                          "build's own process). A handler called outside a Pelican run (a test, "
                                          "a tool) starts none."),
    Setting("DATADESK_CHARTS_MAX_ROWS", 5000, "Rows a chart may pass to Vega-Lite (Altair's own limit); a "
                                              "chart may raise it with `MAX_ROWS` and `MAX_ROWS_REASON`."),
    Setting("DATADESK_CHARTS_WIDTH", 680, "Intrinsic width in px of the static picture for wider screens "
                                          "(and of the PNG, before scaling)."),
    Setting("DATADESK_CHARTS_NARROW_WIDTH", 380, "Intrinsic width in px of the static picture for phones."),
    Setting("DATADESK_CHARTS_PNG_SCALE", 2, "Scale of the PNG download and social card (2 = twice the "
                                            "wide picture)."),
    Setting("DATADESK_CHARTS_VL_VERSION", "6.4", "Vega-Lite version vl-convert compiles with."),
    Setting("DATADESK_CHARTS_TABLE_MAX_ROWS", 60, "Rows shown in the data-table alternative (the CSV has "
                                                  "them all)."),
    Setting("DATADESK_CHARTS_MIN_DELTA_E", 10.0, "Smallest CIEDE2000 distance allowed between two colours "
                                                 "of one chart, in normal vision and simulated "
                                                 "protanopia, deuteranopia and tritanopia."),
    Setting("DATADESK_CHARTS_EMBED_PAGES", True, "Write the minimal embed page `charts/<id>/index.html` "
                                                 "for every chart."),
    # The site's country names (charts/text.py: t.country, the data table)
    Setting("DATADESK_COUNTRY_COLUMNS", [], "Columns of the site's data that hold country names: a chart's "
                                            "data table shows them in the reader's language, e.g. "
                                            "`['donor', 'country']`."),
    Setting("DATADESK_COUNTRY_NAMES", {}, "Names in those columns (and for `t.country`) that are not "
                                          "countries, one per language: `{'European Peace Facility': "
                                          "{'fr': 'Facilité européenne pour la paix', 'en': 'European Peace "
                                          "Facility'}}`."),
    Setting("DATADESK_COUNTRY_CODES", {}, "Country names the data spell otherwise than CLDR's English names, "
                                          "with their ISO code: `{'Czech Republic': 'CZ'}` (then shown as CLDR "
                                          "names them in both languages)."),
    # Inline values
    Setting("DATADESK_VALUES_LINK", True, "Wrap each inline value in a link to its dataset page (a "
                                          "`<span>` otherwise)."),
    Setting("DATADESK_VALUES_CLASS", "dv", "CSS class of the element around each inline value."),
    Setting("DATADESK_VALUES_MAX_LISTED", 12, "How many valid names an inline value's error lists."),
    # Languages and units (i18n.py)
    Setting("DATADESK_LOCALES", dict(LOCALES), "Babel locale for each article language (inline values)."),
    Setting("DATADESK_UNITS", {}, "Extra units: `{'tonnes': {'fr': '{n} t', 'en': '{n} t'}}`, or "
                                  "`{'cldr': 'mass-tonne'}` for a CLDR unit."),
], README, renamed={
    "CATALOG_DATA_DIR": "DATADESK_DATA_DIR",
    "CATALOG_OUTPUT_DIR": "DATADESK_DATA_OUTPUT_DIR",
    "CATALOG_PREVIEW_ROWS": "DATADESK_PREVIEW_ROWS",
    "CATALOG_PUBLISH_FILES": "DATADESK_PUBLISH_FILES",
    "CATALOG_VALIDATE": "DATADESK_VALIDATE",
    "CATALOG_SITE_NAMES": "DATADESK_SITE_NAMES",
    "CHARTS_DIR": "DATADESK_CHARTS_DIR",
    "CHARTS_CACHE_PATH": "DATADESK_CHARTS_CACHE_PATH",
    "CHARTS_OUTPUT_DIR": "DATADESK_CHARTS_OUTPUT_DIR",
    "CHARTS_WORKERS": "DATADESK_CHARTS_WORKERS",
    "CHARTS_MAX_ROWS": "DATADESK_CHARTS_MAX_ROWS",
    "CHARTS_WIDTH": "DATADESK_CHARTS_WIDTH",
    "CHARTS_NARROW_WIDTH": "DATADESK_CHARTS_NARROW_WIDTH",
    "CHARTS_PNG_SCALE": "DATADESK_CHARTS_PNG_SCALE",
    "CHARTS_VL_VERSION": "DATADESK_CHARTS_VL_VERSION",
    "CHARTS_TABLE_MAX_ROWS": "DATADESK_CHARTS_TABLE_MAX_ROWS",
    "CHARTS_MIN_DELTA_E": "DATADESK_CHARTS_MIN_DELTA_E",
    "CHARTS_EMBED_PAGES": "DATADESK_CHARTS_EMBED_PAGES",
    "INLINE_VALUES_LINK": "DATADESK_VALUES_LINK",
    "INLINE_VALUES_CLASS": "DATADESK_VALUES_CLASS",
    "INLINE_VALUES_LOCALES": "DATADESK_LOCALES",
    "INLINE_VALUES_UNITS": "DATADESK_UNITS",
    "INLINE_VALUES_MAX_LISTED": "DATADESK_VALUES_MAX_LISTED",
})


def values(settings: dict) -> dict:
    """Every DATADESK_* value, defaults filled in; unknown, renamed or mistyped keys are errors."""
    out = DATADESK.values(settings)
    fix = f"Fix the value (see {README})."
    for name, texts in out["DATADESK_COUNTRY_NAMES"].items():
        if not (isinstance(texts, dict) and all(isinstance(texts.get(lang), str) and texts[lang].strip()
                                                for lang in ("fr", "en"))):
            raise SettingsError(f"DATADESK_COUNTRY_NAMES[{name!r}] = {texts!r}; expected one name per "
                                f'language, {{"fr": "…", "en": "…"}}.', file=CONFIG_FILE, fix=fix)
    for name, code in out["DATADESK_COUNTRY_CODES"].items():
        if not (isinstance(code, str) and len(code) == 2 and code.isupper()):
            raise SettingsError(f"DATADESK_COUNTRY_CODES[{name!r}] = {code!r}; expected a two-letter ISO "
                                'country code such as "CZ".', file=CONFIG_FILE, fix=fix)
    return out
