"""One way to write a site-relative link in HTML that ends up on several pages.

A chart figure or an inline value sits in an article's HTML, and that HTML is shown on
pages at different depths (the article, the home page, a listing, a feed), in each
language site. Its links are written with ``site_link(path)``: a marker, then the path from
the language site's root (``charts/strikes/wide.svg``, ``data/strikes_waves/``). The marker
is replaced where the HTML is placed on a page, by the way from that page back to its
site's root, which Pelican gives each template as ``SITEURL`` (``..`` in a development
build, the site's address when publishing): the Jinja filter ``site_links`` does it for
the bodies and summaries the theme prints, the feeds call ``resolve`` with the site's
absolute address, the chart embed pages with their own way back. Nothing patches a
content object and no written file is read back.

A marker left in a written page is an error (``check_written``, at ``content_written``):
a template printed the HTML without the ``site_links`` filter. So is a chart's or an inline
value's placeholder (placeholders.py) left unfilled.
"""

from __future__ import annotations

import logging

from jinja2 import pass_context

from . import placeholders
from .outputs import is_kept

logger = logging.getLogger(__name__)

MARKER = "@@datadesk-site-root@@/"


def site_link(path: str) -> str:
    """``path`` (from the language site's root, no leading slash) as a link to resolve later."""
    return MARKER + path.lstrip("/")


def root_of(siteurl: str | None) -> str:
    """What the marker becomes on a page whose way back to its site's root is ``siteurl``:
    ``../`` in development (``./`` at the root), ``https://…/`` when publishing."""
    siteurl = (siteurl or "").rstrip("/")
    return siteurl + "/" if siteurl else "./"


def resolve(html: str, siteurl: str | None) -> str:
    """Every link ``site_link`` wrote in ``html``, from the page whose ``SITEURL`` is ``siteurl``."""
    if not html or MARKER not in html:
        return html
    return html.replace(MARKER, root_of(siteurl))


@pass_context
def site_links(context, html):
    """The Jinja filter ``site_links``: ``{{ article.content|site_links|html }}`` writes the
    links from the page being written (its ``SITEURL``)."""
    return resolve(html, context.get("SITEURL"))


def add_filter(pelican) -> None:
    """``site_links`` among the templates' filters (``initialized``)."""
    pelican.settings["JINJA_FILTERS"] = {**pelican.settings.get("JINJA_FILTERS", {}), "site_links": site_links}


def check_written(path: str, context: dict, **_kwargs) -> None:
    """A marker left in a written page: a template printed a body or summary without
    ``site_links``, and a reader would follow a broken link. The build fails naming it."""
    if not str(path).endswith((".html", ".xml")) or is_kept(context, path):
        return  # a file kept from the previous output passed this check when it was written
    try:
        text = open(path, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError):
        return
    line = placeholders.leftover(text)
    if line is not None:
        logger.error("%s:%d: a chart or an inline value was written as its placeholder (U+E000 datadesk:…); "
                     "expected the HTML the Markdown reader fills in (plugins/datadesk/placeholders.py). "
                     "Print the content object's content or summary, never an entry of .cache/articles.",
                     path, line)
    if MARKER in text:
        line = text.count("\n", 0, text.index(MARKER)) + 1
        logger.error("%s:%d: a link of a chart or an inline value was written unresolved (%s…); "
                     "expected the template to print the HTML through the site_links filter. Write "
                     "{{ article.content|site_links|html }} (plugins/datadesk/README.md).",
                     path, line, MARKER)
