"""The data catalogue page, one page per dataset, and the published files.

Runs once per language site (``DEFAULT_LANG``). Pages are written in
``generate_output``, after every generator has read its content, so charts and
articles have had the chance to call the desk's ``record_usage`` (datadesk/desk.py). The curated
CSVs are copied byte for byte, and the datapackage.json assembled from the
datasets' descriptions is written, into the main-language site only; the
other language links there.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import logging
import posixpath
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from pelican.generators import Generator

from .. import outputs
from ..desk import desk_of
from ..i18n import LANGS, babel_locale
from ..typography import WORDS, french as set_french
from .catalog import _settings_values, localized
from .package import dumps

logger = logging.getLogger(__name__)

SITE_SOURCE_KEY = "sources"


def french(text: str, prose: bool = False, names: dict | None = None) -> str:

    return set_french(text, prose, names)


def _date(value: str | None, lang: str) -> str:
    if not value:
        return ""
    text = format_date(dt.date.fromisoformat(value), format="medium", locale=babel_locale(lang))
    return french(text) if lang == "fr" else text  # « 1er mars 2026 »


def _licence(resource: dict, lang: str = "en") -> dict:
    """The first licence, its name in ``lang`` when the datapackage gives one (``title_fr``)."""
    first = (resource.get("licenses") or [{}])[0]
    title = first.get(f"title_{lang}") or first.get("title") or first.get("name", "")
    return {"title": title, "url": first.get("path", "")}


def _publisher(resource: dict, lang: str) -> str:
    publisher = resource.get("publisher", {})
    return publisher.get(f"name_{lang}") or publisher.get("name", "")


def counted(n: int, lang: str) -> str:
    """A count in running text: French writes whole numbers under ten in words (« huit colonnes »)."""
    if lang == "fr" and 2 <= n < 10:
        return WORDS[n]
    return format_decimal(n, locale=babel_locale(lang))


def set_in_french(entry: dict) -> dict:
    """A French dataset page's generated strings, set as French is set (datadesk.typography):
    titles, description, caveats, columns, licence, publisher, citation, sources."""
    for key in ("title", "description", "publisher", "release"):
        entry[key] = french(entry[key], prose=key == "description")
    entry["caveats"] = [french(c, prose=True) for c in entry["caveats"]]
    entry["licence"] = {**entry["licence"], "title": french(entry["licence"]["title"])}
    entry["fields"] = [{**f, "title_l": french(f["title_l"]), "description_l": french(f["description_l"], prose=True)}
                       for f in entry["fields"]]
    entry["used_by"] = [{**u, "title": french(u["title"])} for u in entry["used_by"]]
    entry["sources"] = [{**s, **{k: french(s.get(f"{k}_fr") or s.get(k, "")) for k in ("publisher", "licence")}}
                        for s in entry["sources"]]
    return entry


def redistributable(resource: dict) -> bool:
    """``"redistribute": false`` in a resource means its licence forbids republishing the file."""
    return resource.get("redistribute", True) is not False


def _preview(path: Path, limit: int) -> tuple[list[str], list[list[str]], int]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows, count = [], 0
        for row in reader:
            if not row:
                continue
            count += 1
            if len(rows) < limit:
                rows.append(row)
    return header, rows, count


def _records(path: Path) -> list[dict]:
    """A validated CSV's rows as text (the page prints the sources' text columns, all required):
    read with the csv module, so a build that prepares no chart and computes no value does not
    import pandas for them."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if any(row.values())]


def _kept(desk, path: Path, what: str, limit: int = 0):
    """What a dataset page shows of a CSV that only its bytes decide: ``"preview"`` (its header,
    its first ``limit`` rows, its row count), ``"records"`` (every row, :func:`_records`) or
    ``"source_ids"`` (the ``source_id`` values its rows cite). Read once per build (both
    languages ask) and kept between builds in the ``datasets`` store by the hash of the file's
    bytes the build's snapshot took (the one its validation used), ``limit`` and
    ``code_version()``, so a warm build reads no CSV for pages it then keeps."""
    from ..store import code_version, key_of

    digest = desk.snapshot.digest(path)
    key = key_of("dataset page read", what, limit, digest, code_version())
    if key in desk.dataset_reads:
        return copy.deepcopy(desk.dataset_reads[key])  # each language's pages their own
    store = desk.store("datasets") if digest is not None else None
    found = store.get(key, f"what the page of {path.name} shows") if store is not None else None
    if isinstance(found, dict) and "value" in found:
        desk.count("dataset pages", f"{what} kept")
        value = found["value"]
    else:
        if what == "preview":
            value = list(_preview(path, limit))
        elif what == "records":
            value = _records(path)
        else:
            value = sorted({row["source_id"] for row in _records(path)} - {""})
        desk.count("dataset pages", f"{what} read")
        if store is not None:
            store.put(key, {"value": value})
    desk.dataset_reads[key] = value
    return copy.deepcopy(value)


def _snippet(resource: dict, csv_url: str) -> str:
    fields = resource["schema"]["fields"]
    dates = [f["name"] for f in fields if f.get("type") in ("date", "datetime")]
    nullable_ints = [f["name"] for f in fields if f.get("type") == "integer"
                     and not f.get("constraints", {}).get("required")]
    lines = ["import pandas as pd", "", "df = pd.read_csv(", f'    "{csv_url}",']
    if dates:
        lines.append(f"    parse_dates={dates!r},".replace("'", '"'))
    if nullable_ints:
        lines.append("    dtype={" + ", ".join(f'"{n}": "Int64"' for n in nullable_ints) + "},")
    lines.append(")")
    return "\n".join(lines)


def _site_names(settings: dict) -> dict:
    names = dict(settings.get("DATADESK_SITE_NAMES") or {})
    for lang in LANGS:
        names.setdefault(lang, settings.get("SITENAME", ""))
    return names


def citations(resource: dict, site_names: dict, page_url: str, french_names: dict | None = None) -> dict:
    """Original publisher first, then this site, in both languages; the French one spells the
    names the data write in English as DATADESK_FRENCH_NAMES says French writes them."""
    original = resource.get("citation") or f"{resource['publisher']['name']}. {resource.get('release', '')}".strip()
    original = original.rstrip(".") + "."
    as_of = resource.get("as_of", "")
    fr = french(f"{original} Données préparées et publiées par {site_names['fr']} : "
                f"« {localized(resource, 'title', 'fr')} » (données au {_date(as_of, 'fr')}), {page_url}",
                names=french_names)
    en = (f"{original} Data prepared and published by {site_names['en']}: "
          f"\u201c{localized(resource, 'title', 'en')}\u201d (data as of {_date(as_of, 'en')}), {page_url}")
    return {"fr": fr, "en": en}


def jsonld(resource: dict, lang: str, page_url: str, csv_url: str | None, desc_url: str, site_name: str) -> dict:
    publisher = resource.get("publisher", {})
    temporal = resource.get("temporal") or {}
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": localized(resource, "title", lang),
        "description": localized(resource, "description", lang),
        "url": page_url,
        "inLanguage": lang,
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": publisher.get("name", "")},
        "publisher": {"@type": "Organization", "name": site_name},
        "license": _licence(resource)["url"] or _licence(resource)["title"],
        "dateModified": resource.get("as_of", ""),
        "variableMeasured": [
            {"@type": "PropertyValue", "name": f["name"], "description": localized(f, "description", lang),
             **({"unitText": f["unit"]} if f.get("unit") else {})}
            for f in resource["schema"]["fields"]],
    }
    if publisher.get("url"):
        data["creator"]["url"] = publisher["url"]
    if temporal.get("start") and temporal.get("end"):
        data["temporalCoverage"] = f"{temporal['start']}/{temporal['end']}"
    if resource.get("citation"):
        data["citation"] = resource["citation"]
    if csv_url:
        data["distribution"] = [
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": csv_url},
            {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": desc_url}]
    return data


def datasets_context(catalog, lang: str) -> dict:
    """``DATASETS`` for templates: name -> title, description, url, as_of, publisher in this language."""
    out = {}
    for name in catalog.names:
        res = catalog.resource(name)
        out[name] = {"name": name, "title": localized(res, "title", lang),
                     "description": localized(res, "description", lang), "url": catalog.dataset_url(name),
                     "csv": f"{catalog.output_dir}/{res['path']}", "as_of": res.get("as_of", ""),
                     "publisher": _publisher(res, lang), "release": res.get(f"release_{lang}") or res.get("release", ""), "resource": res}
    return out


class CatalogGenerator(Generator):
    """Writes ``<DATADESK_DATA_OUTPUT_DIR>/index.html`` and ``<DATADESK_DATA_OUTPUT_DIR>/<name>/index.html``."""

    def generate_context(self):
        """Nothing to read: the catalogue was validated at ``initialized``."""

    def _sites(self) -> tuple[str, dict]:
        """(main language, {lang: {"rel", "abs"}}): how to reach each language site's root from this one.

        ``rel`` is relative to this site's root (templates prefix it with SITEURL); ``abs`` is the
        absolute address when the build knows it (publish), else empty."""
        lang = self.settings["DEFAULT_LANG"]
        main = self.context.get("main_lang") or self.settings.get("MAIN_LANG") or lang
        urls = dict(self.context.get("lang_siteurls") or {})
        urls[lang] = self.settings.get("SITEURL", "")
        to_site = self.context.get("relpath_to_site")
        sites = {}
        for other, url in urls.items():
            rel = "" if other == lang else (to_site(lang, other) + "/" if to_site else "")
            sites[other] = {"rel": rel, "abs": url.rstrip("/") + "/" if str(url).startswith("http") else ""}
        return main, sites

    def generate_output(self, writer):
        values = _settings_values(self.settings)
        desk = desk_of(self.settings)
        catalog = desk.catalog(self.settings)
        lang = self.settings["DEFAULT_LANG"]
        out_dir = values["DATADESK_DATA_OUTPUT_DIR"].strip("/")
        main, sites = self._sites()
        site_names = _site_names(self.settings)

        def link(target: str, path: str) -> dict:
            base = sites.get(target, sites[lang])
            return {"rel": base["rel"] + path, "abs": base["abs"] + path if base["abs"] else ""}

        descriptor = link(main, f"{out_dir}/datapackage.json")
        others = [o for o in sites if o != lang]
        entries = []
        sources = _kept(desk, catalog.csv_path(SITE_SOURCE_KEY), "records") if SITE_SOURCE_KEY in catalog else None
        for name in catalog.names:
            res = catalog.resource(name)
            header, rows, count = _kept(desk, catalog.csv_path(name), "preview", values["DATADESK_PREVIEW_ROWS"])
            page_path = f"{out_dir}/{name}/"
            csv_link = link(main, f"{out_dir}/{posixpath.basename(res['path'])}") if redistributable(res) else None
            # Citations and snippets need an address that works anywhere: absolute when published;
            # in a local build, the page path and the bare file name.
            public_page = link(lang, page_path)["abs"] or page_path
            public_csv = (csv_link["abs"] or posixpath.basename(res["path"])) if csv_link else None
            used_sources = []
            if sources is not None and "source_id" in header and name != SITE_SOURCE_KEY:
                ids = set(_kept(desk, catalog.csv_path(name), "source_ids"))
                used_sources = [source for source in sources if source["source_id"] in ids]
            entries.append({
                "name": name, "resource": res, "lang": lang,
                "title": localized(res, "title", lang), "description": localized(res, "description", lang),
                "caveats": res.get(f"caveats_{lang}") or [], "licence": _licence(res, lang),
                "publisher": _publisher(res, lang), "release": res.get(f"release_{lang}") or res.get("release", ""),
                "as_of": _date(res.get("as_of"), lang), "as_of_iso": res.get("as_of", ""),
                "fields": [{**f, "title_l": localized(f, "title", lang),
                            "description_l": localized(f, "description", lang)}
                           for f in res["schema"]["fields"]],
                "header": header, "rows": rows, "count": count, "csv": csv_link,
                "count_l": counted(count, lang), "columns_l": counted(len(res["schema"]["fields"]), lang),
                "shown_l": counted(min(count, values["DATADESK_PREVIEW_ROWS"]), lang),
                "size_kb": format_decimal(round(catalog.csv_path(name).stat().st_size / 1024, 1),
                                          locale=babel_locale(lang)),
                "page_url": page_path, "alternates": [link(o, page_path) for o in others],
                "citations": citations(res, site_names, public_page, values["DATADESK_FRENCH_NAMES"]),
                "snippet": _snippet(res, public_csv) if public_csv else "",
                # Download addresses in JSON-LD must be absolute: only a published build knows them.
                "jsonld": jsonld(res, lang, public_page, csv_link and csv_link["abs"], descriptor["abs"],
                                 site_names.get(lang, "")),
                "used_by": desk.usages(name, lang), "sources": used_sources,
                "primary_key": res["schema"].get("primaryKey", []),
                "foreign_keys": res["schema"].get("foreignKeys", []),
            })
        if lang == "fr":
            entries = [set_in_french(entry) for entry in entries]
        common = {"datasets": entries, "descriptor": descriptor, "catalog_dir": out_dir,
                  "catalog_alternates": [link(o, f"{out_dir}/") for o in others]}
        relative_urls = self.settings.get("RELATIVE_URLS", False)
        writer.write_file(f"{out_dir}/index.html", self.get_template("datasets"), self.context,
                          relative_urls=relative_urls, url=f"{out_dir}/", **common)
        for entry in entries:
            writer.write_file(f"{out_dir}/{entry['name']}/index.html", self.get_template("dataset"), self.context,
                              relative_urls=relative_urls, url=entry["page_url"], dataset=entry, **common)
        is_main = main == lang
        if is_main and values["DATADESK_PUBLISH_FILES"]:
            self._publish(catalog, Path(self.output_path) / out_dir, self.settings)

    @staticmethod
    def _publish(catalog, target: Path, settings: dict) -> None:
        """Exactly the curated bytes: readers download what was validated (each file kept from
        the previous output when its bytes are the same, datadesk/outputs.py)."""
        target.mkdir(parents=True, exist_ok=True)
        # Assembled from the datasets' descriptions (package.py), exactly as validated.
        outputs.put(settings, target / "datapackage.json", dumps(catalog.descriptor).encode("utf-8"), "datasets")
        for name in catalog.names:
            if redistributable(catalog.resource(name)):
                outputs.copy(settings, catalog.csv_path(name),
                             target / posixpath.basename(catalog.resource(name)["path"]), "datasets")


def on_generator_init(generator) -> None:
    settings = generator.settings
    if "DATASETS" not in generator.context and _settings_values(settings)["DATADESK_VALIDATE"]:
        generator.context["DATASETS"] = datasets_context(desk_of(settings).catalog(settings),
                                                                settings["DEFAULT_LANG"])


def get_generators(pelican):
    return CatalogGenerator


def on_content_finalized(generator) -> None:
    """Articles and pages that declare ``Datasets: a, b`` in their metadata are listed under "Used by"."""
    lang = generator.settings.get("DEFAULT_LANG", "")
    items = list(getattr(generator, "articles", [])) + list(getattr(generator, "pages", []))
    desk = desk_of(generator.settings)
    known = None
    for item in items:
        declared = item.metadata.get("datasets")
        if not declared or getattr(item, "lang", lang) != lang:
            continue
        if known is None:
            known = desk.catalog(generator.settings).names
        names = declared if isinstance(declared, list) else str(declared).split(",")
        for name in (n.strip() for n in names if n.strip()):
            if name not in known:
                logger.warning("%s: Datasets: expected a dataset name, found \"%s\". Use one of: %s.",
                               _content_path(generator, item), name, ", ".join(known))
                continue
            kind = "article" if item in getattr(generator, "articles", []) else "page"
            desk.record_usage(name, kind, item.title, item.url, lang)


def _content_path(generator, item) -> str:
    root = Path(generator.settings.get("PATH", ".")).resolve().parent
    try:
        return Path(item.source_path).resolve().relative_to(root).as_posix()
    except ValueError:
        return item.source_path


def on_initialized(pelican) -> None:
    settings = pelican.settings
    values = _settings_values(settings)
    if values["DATADESK_VALIDATE"]:
        desk_of(settings).catalog(settings)
