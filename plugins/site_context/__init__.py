"""Template helpers every page type shares and French typography for generated text
(see README.md). The public API:"""

from .site_context import (babel_locale, date_filter, html, isodate, number_filter,  # noqa: F401
                           prose_words, reading_minutes, register)
from datadesk.typography import WORDS, french, set_catalog, singular  # noqa: F401  (the desk sets French text)
