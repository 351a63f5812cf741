"""A language subsite kept from the previous build: read, and linked from output/ rather than written.

When ``invoke build`` finds that a language subsite (the English site, ``en/``) would be
written with the same bytes as the previous build's (an edit to French articles' prose only:
``datadesk/uptodate.py``, ``Check.kept_subsites``), tools/build.py has i18n_subsites run that
subsite with :class:`KeptSite`. It reads the subsite's content as Pelican does, so that
i18n_subsites links every language's pages to their translations exactly as in a full
build (the main site's pages need the subsite's addresses), then links the subsite's folder
from output/ into the build's folder instead of writing it: no page is rendered or
fingerprinted, no chart, card, feed or search index of that language is made again.

The article pages' fingerprints (pages.py) of that folder are kept for the next build as if
its pages had been written now.
"""

from __future__ import annotations

import os

from pelican import Pelican, signals

PELICAN_CLASS = "datadesk.KeptSite"  # as i18n_subsites imports it: the package, then the name


class KeptSite(Pelican):
    """A Pelican run that reads its site and links its output from the previous build."""

    def run(self):
        # Pelican.run (Pelican 4.12, pinned) up to the writer: the content is read and every
        # generator's context made, and ``get_writer`` is sent, where i18n_subsites links the
        # translations of every language site of the build; then no generator writes.
        context = self.settings.copy()
        context["generated_content"] = {}
        context["static_links"] = set()
        context["static_content"] = {}
        context["localsiteurl"] = self.settings["SITEURL"]
        generators = [cls(context=context, settings=self.settings, path=self.path, theme=self.theme,
                          output_path=self.output_path)
                      for cls in self._get_generator_classes()]
        for generator in generators:
            if hasattr(generator, "generate_context"):
                generator.generate_context()
            if hasattr(generator, "check_disabled_readers"):
                generator.check_disabled_readers()
        signals.all_generators_finalized.send(generators)
        for generator in generators:
            if hasattr(generator, "refresh_metadata_intersite_links"):
                generator.refresh_metadata_intersite_links()
        self._get_writer()
        link_previous(self.settings, self.output_path)


def link_previous(settings: dict, folder: str) -> int:
    """Link every file of the previous output's copy of ``folder`` (a subsite's folder in this
    build's output) into it, as the files this build made; returns how many. The previous
    output's folder is in the state the recorded build left it (``Check.kept_subsites``): its
    files are that build's, checked when it wrote them."""
    from .desk import desk_of
    from .pages import pages_of

    desk = desk_of(settings)
    count = desk.outputs.keep_folder(folder, "subsite")
    pages = pages_of(settings)
    if pages is not None:  # the next build finds these pages' fingerprints as if written now
        prefix = pages.relative(folder).replace(os.sep, "/").rstrip("/") + "/"
        pages.recorded.update({page: entry for page, entry in pages.previous.items() if page.startswith(prefix)})
    desk.count("subsites", "kept")
    desk.count("subsites", "files linked", count)
    return count
