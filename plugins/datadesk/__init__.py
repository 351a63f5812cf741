"""datadesk: the data pipeline as one Pelican plugin (see README.md).

Parts: ``datasets/`` (the curated catalogue and the dataset pages), ``shortcodes.py``
(``{{ name ... }}`` in Markdown), ``charts/`` (Altair charts rendered at build time),
``values/`` (``{{ value ... }}`` figures in the prose) and ``yamlsafe/`` (the one way
the project reads YAML an editor wrote).

``register`` below connects every signal of the package, in pipeline order. The names
imported here are the package's public API: other plugins, ``tasks.py`` and the data
tools import them as ``from datadesk import ...``. ``Setting``/``Settings`` (settings as data)
and ``DeskError`` (the one error base) are shared by every plugin of the site: each
describes its settings family and derives its errors from them, so all are checked and
shown one way.
"""

from pelican import signals

from . import charts, frontmatter, yamlsafe  # noqa: F401  (charts first: it pins the time zone before anything draws)
from .charts import charts as _charts
from . import i18n, typography  # noqa: F401  (the locale and unit tables; French typography)
from .i18n import UNIT_NAMES, UNITS  # noqa: F401
from .errors import DeskError, TranslationCatalogError, render as render_error  # noqa: F401
from .settings import DATADESK, Setting, Settings, SettingsError  # noqa: F401
from .datasets import (Catalog, DataValidationError, Problem, UnknownColumnError,  # noqa: F401
                       UnknownDatasetError, get_catalog, localized)
from .datasets import pages as _pages
from .datasets.package import BASE, CURATED, SUFFIX, TO_FILL, description_path, dumps  # noqa: F401
from . import desk as _desk, links as _links, outputs as _outputs, templates as _templates
from .desk import CACHE_KEY, DESK_KEY, Desk, DeskCache, desk_of, report_path  # noqa: F401
from . import kept as _kept
from .kept import KeptSite  # noqa: F401  (a subsite kept from output/: i18n_subsites imports it from here)
from .links import resolve as resolve_site_links, site_link  # noqa: F401
from .outputs import copy as copy_output, is_kept, put as write_output  # noqa: F401
from .shortcodes import SHORTCODE, ShortcodeContext, ShortcodeError, parse_line  # noqa: F401
from . import shortcodes as _shortcodes
from .values import inline_values as _values
from .yamlsafe import YamlError  # noqa: F401


def _check_settings(pelican) -> None:
    """Every DATADESK_* key is known and well typed, before any part of the desk reads one."""
    DATADESK.check(pelican.settings)


def register() -> None:
    """Every hook of the data desk. PLUGINS lists "datadesk" right after i18n_subsites (which
    must have saved its generators first) and before corrections, site_context and editorial:
    the datasets are validated before anything else is checked, and the dataset usage from
    ``Datasets:`` metadata is recorded before corrections and discovery see the articles."""
    # The desk: one per build, made when the main site starts, shared by the language
    # subsites (datadesk/desk.py), with the shortcode handlers; each language site's Jinja
    # environment, with its catalogue, for the chart figures.
    signals.initialized.connect(start_desk)
    # Compiled templates kept under .cache/templates between builds (datadesk/templates.py).
    signals.initialized.connect(_templates.keep_compiled)
    signals.generator_init.connect(_desk.on_generator_init)
    # What the build did (converted, cached, written…): .cache/last-build.json, for the tests
    # and `invoke bench` that check work follows what changed.
    signals.finalized.connect(_desk.on_finalized)
    # Write only what changed: Pelican's pages and feeds go through a writer that links the
    # previous output's file where the bytes are the same (datadesk/outputs.py).
    signals.get_writer.connect(_outputs.get_writer)
    # What the main site takes from each language subsite's reading, noted for the build's
    # record, so that a subsite kept from output/ need not be read again (datadesk/kept.py).
    signals.initialized.connect(_kept.note_start)
    signals.get_writer.connect(_kept.note_read)
    # Links: the charts' and values' site-relative links are resolved where the theme prints
    # the HTML (the site_links filter, datadesk/links.py); none may be left in a written page.
    signals.initialized.connect(_links.add_filter)
    signals.content_written.connect(_links.check_written)
    signals.feed_written.connect(_links.check_written)
    # Datasets: validate at startup, DATASETS in every template context, the dataset pages,
    # and the articles and pages that declare ``Datasets:``.
    signals.initialized.connect(_check_settings)
    signals.initialized.connect(_pages.on_initialized)
    signals.generator_init.connect(_pages.on_generator_init)
    signals.get_generators.connect(_pages.get_generators)
    signals.article_generator_finalized.connect(_pages.on_content_finalized)
    signals.page_generator_finalized.connect(_pages.on_content_finalized)
    # Shortcodes: the Markdown reader that expands {{ ... }}; no braces left in written pages.
    signals.readers_init.connect(_shortcodes.add_reader)
    # Charts sent to the workers as the articles generator starts, the Markdown converted
    # (and kept) meanwhile, so the build does not wait for the charts at the first article.
    signals.article_generator_init.connect(_shortcodes.convert_ahead)
    signals.content_written.connect(_shortcodes.check_written)
    # Charts: DATADESK_CHARTS_* checked at startup, the charts' artefacts and embed pages. (The shortcode handler: start_desk.)
    signals.initialized.connect(_charts.on_initialized)
    signals.get_generators.connect(_charts.get_generators)
    # Inline values (the shortcode handler: start_desk): DATADESK_VALUES_* checked at startup,
    # usage recorded once each article exists.
    signals.initialized.connect(_values.configure)
    signals.content_object_init.connect(_values.note_usage)


def start_desk(pelican) -> None:
    """A build starts: its desk (the main site makes it, the subsites share it) answers
    ``{{ chart … }}`` and ``{{ value … }}``."""
    _desk.on_initialized(pelican)
    desk = pelican.settings[DESK_KEY]
    desk.register_handler("chart", _charts.chart_shortcode)
    desk.register_handler("value", _values.handle)
