"""Pelican settings for local builds (the published build adds publishconf.py)."""

import os
from pathlib import Path


ROOT = Path(__file__).resolve().parent

SITENAME = "Front de l'énergie"
SITENAME_EN = "Energy Front"
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = ["articles"]
ARTICLE_EXCLUDES = ["pages", "charts"]
STATIC_PATHS = []
IGNORE_FILES = [".#*", "*~", "*.swp", "README.md"]

TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
MAIN_LANG = DEFAULT_LANG  # the English subsite overrides DEFAULT_LANG, not this
DEFAULT_DATE_FORMAT = "%-d %B %Y"
LOCALE = ("C.UTF-8",)  # dates are formatted with Babel in templates, not the C library

# French is the main site at the output root, English a subsite under en/.
# Templates are written in English; theme/translations holds the French catalogue.
I18N_SUBSITES = {"en": {"SITENAME": SITENAME_EN}}
I18N_TEMPLATES_LANG = "en"
I18N_GETTEXT_DOMAIN = "messages"
I18N_UNTRANSLATED_ARTICLES = "remove"
I18N_UNTRANSLATED_PAGES = "remove"
JINJA_ENVIRONMENT = {
    "extensions": ["jinja2.ext.i18n"],
    "autoescape": True,  # every template; content is marked safe only by the `html` filter
    "trim_blocks": True,
    "lstrip_blocks": True,
}

THEME = str(ROOT / "theme")
THEME_STATIC_DIR = "theme"

PLUGIN_PATHS = [str(ROOT / "plugins")]
PLUGINS = [
    "sanitise",  # the HTML sanitiser and CSV writer others import; reads content only inside content/
    "i18n_catalogs",
    "pelican.plugins.i18n_subsites",
    # Datasets, shortcodes, charts, inline values (plugins/datadesk/README.md). Before
    # corrections, which imports its YAML loader, and before the plugins that check or
    # read the articles, so the datasets are validated first.
    "datadesk",
    "corrections",
    "site_context",
    "editorial",
    # search before discovery: Pagefind starts at the first finalized receiver and indexes
    # the written pages while discovery makes the sharing cards and the sitemap
    "search",
    "discovery",
]

# Directory-style URLs: every page is <slug>/index.html.
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
ARTICLE_LANG_URL = "{slug}/"
ARTICLE_LANG_SAVE_AS = "{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{slug}/"
PAGE_LANG_SAVE_AS = "{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
DRAFT_LANG_URL = "drafts/{slug}/"
DRAFT_LANG_SAVE_AS = "drafts/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
CATEGORIES_URL = "category/"
CATEGORIES_SAVE_AS = "category/index.html"
TAGS_URL = "tag/"
TAGS_SAVE_AS = "tag/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "archives", "categories", "tags", "search", "404"]
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None}
DEFAULT_PAGINATION = False
SLUGIFY_SOURCE = "basename"

# Pelican's own feeds are off: the discovery plugin writes one Atom feed per language (only
# that language's articles) and one per section, in the preview too (plugins/discovery).
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Feeds, sitemap and link previews need absolute addresses; the published build has them
# from SITEURL, the preview from its server's address (`invoke livereload` sets PREVIEW_URL).
DISCOVERY_SITE_URL = os.environ.get("PREVIEW_URL", "http://127.0.0.1:8000")

# Reproducible output: no build timestamps anywhere; Pelican's own cache lives
# outside output/.
CACHE_PATH = str(ROOT / ".cache" / "pelican")
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = False  # tasks.build writes to a fresh directory and swaps
OUTPUT_RETENTION = []

# Navigation: (msgid, slug-relative URL). Labels are translated in templates.
NAV_LINKS = [
    ("Home", ""),
    ("Data", "data/"),
    ("Methodology", "methodology/"),
    ("About", "about/"),
    ("Corrections", "corrections/"),
    ("Search", "search/"),
]

SITE_LICENSE = "CC BY 4.0"
# The site's own words, which the theme does not carry (it serves any site): what the site
# is (meta description, link previews, the home page's structured data) and the footer's
# line on where the data come from. One text per language, French typography applied.
SITE_DESCRIPTION = {
    "fr": "Journalisme de données sur l'aide militaire à l'Ukraine et les frappes de 2022 contre "
          "son système énergétique, chaque chiffre relié à sa source.",
    "en": "Data journalism on military aid to Ukraine and the 2022 strikes on its energy system, "
          "with every figure traced to its source.",
}
SITE_SOURCES = {
    "fr": "Sources : Ukraine Support Tracker de l'Institut de Kiel, communiqués de l'armée de l'air "
          "ukrainienne via le jeu de données des attaques de missiles, horaires de coupures de "
          "Tchernivtsi, et les médias et institutions cités dans chaque article.",
    "en": "Sources: Kiel Institute Ukraine Support Tracker, Ukrainian Air Force reports via the "
          "missile-attack dataset, Chernivtsi oblenergo schedules, and the press and institutions "
          "cited in each article.",
}
# Where readers report errors: the repository's issue tracker (publishconf.py fills it in
# on GitHub Actions from GITHUB_REPOSITORY). Empty: the footer links the About page instead.
REPOSITORY_URL = ""
# Datasets (plugins/datadesk/README.md): this site's name in each language, for citations.
DATADESK_DATA_DIR = str(ROOT / "data")
DATADESK_SITE_NAMES = {"fr": SITENAME, "en": SITENAME_EN}
# Names our sources write in English that French spells otherwise (French citations).
DATADESK_FRENCH_NAMES = {"Chernivtsioblenergo": "Tchernivtsioblenergo"}
# Donors in our data (plugins/datadesk/README.md): the columns that name countries, shown in
# the reader's language; the donors that are not countries; and the Kiel tracker's
# spellings that are not CLDR's English names.
DATADESK_COUNTRY_COLUMNS = ["donor", "country"]
DATADESK_COUNTRY_NAMES = {
    "EU (Commission and Council)": {"fr": "UE (Commission et Conseil)", "en": "EU (Commission and Council)"},
    "European Peace Facility": {"fr": "Facilité européenne pour la paix", "en": "European Peace Facility"},
    "European Investment Bank": {"fr": "Banque européenne d'investissement", "en": "European Investment Bank"},
}
DATADESK_COUNTRY_CODES = {"Czech Republic": "CZ", "Czechia": "CZ", "Turkey": "TR"}
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        # alignment as align="…", not a style attribute (the sanitiser removes those)
        "markdown.extensions.tables": {"use_align_attribute": True},
        "markdown.extensions.toc": {"permalink": False},
        "markdown.extensions.smarty": {},
    },
    "output_format": "html5",
}
TYPOGRIFY = False
# Largest article or page file read (plugins/sanitise checks the size before reading).
CONTENT_MAX_BYTES = 256 * 1024
